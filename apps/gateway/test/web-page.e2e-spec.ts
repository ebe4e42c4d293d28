import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DEFAULT_TRAINING, encodePng, LABELS } from '#fmnist';
import type { ModelRegistryService } from '#model-registry';
import { launchBrowser, screenshot } from '#testing/browser';
import { officialTestImages, type TestImage } from '#testing/fixture-images';
import { startTestApp, type AppProcess } from '#testing/test-apps';
import {
  connectRegistry,
  testModelArtifacts,
  testModelRecord,
} from '#testing/test-model';

/** Longest wait for anything the page shows, training aside. */
const UI_TIMEOUT_MS = 20_000;
const TRAINING_TIMEOUT_MS = 180_000;
/** The trainer runs with a key, as in production: the page must send it. */
const TRAINER_API_KEY = `web-${randomUUID()}`;

describe('the web page, in headless Chromium', () => {
  const modelName = `web-${randomUUID().slice(0, 8)}`;
  const trainedName = `${modelName}-trained`;
  let registry: ModelRegistryService;
  let trainerFolder: string;
  let classifier: AppProcess;
  let trainer: AppProcess;
  let gateway: AppProcess;
  let browser: Browser;
  let page: Page;
  let image: TestImage;

  /** The text of the first element `selector` matches, once it has some. */
  const textOf = async (selector: string) => {
    const element = page.locator(selector).first();
    await element.waitFor({ timeout: UI_TIMEOUT_MS });
    return (await element.textContent())?.trim() ?? '';
  };

  before(async () => {
    const [artifacts, images] = await Promise.all([
      testModelArtifacts(),
      officialTestImages(1),
    ]);
    image = images[0];
    registry = await connectRegistry();
    await registry.publish(
      testModelRecord({ name: modelName, version: 1 }, artifacts),
    );
    await registry.promote({ name: modelName, version: 1 });
    trainerFolder = await mkdtemp(join(tmpdir(), 'fashion-web-trainer-'));
    // Each assigned as soon as it runs, so that `after` stops it even when the other fails to.
    await Promise.all([
      startTestApp('classifier').then((app) => (classifier = app)),
      startTestApp('trainer', {
        TRAINER_DATA_DIR: join(trainerFolder, 'jobs'),
        TRAINER_DATA_ROOT: join(trainerFolder, 'datasets'),
        TRAIN_DEFAULT_MODEL_ON_START: 'false',
        TRAINER_API_KEY,
      }).then((app) => (trainer = app)),
    ]);
    gateway = await startTestApp('gateway', { TRAINER_URL: trainer.url });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    await page.goto(gateway.url);
  });

  after(async () => {
    await browser?.close();
    await Promise.all([
      gateway?.stop(),
      trainer?.stop(),
      classifier?.stop(),
      registry?.onModuleDestroy(),
    ]);
    if (trainerFolder)
      await rm(trainerFolder, { recursive: true, force: true });
  });

  it('serves the page at / beside the API, previews and test images', async () => {
    const get = (path: string) => fetch(`${gateway.url}${path}`);
    const home = await get('/');
    assert.equal(home.status, 200);
    assert.match(home.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal((await get('/app.js')).status, 200);
    assert.equal((await get('/health')).status, 200);
    assert.equal((await get('/docs')).status, 200);
    const unknown = await get('/v1/nothing-here');
    assert.equal(unknown.status, 404);
    assert.match(unknown.headers.get('content-type') ?? '', /json/);

    const samples = (await (await get('/v1/samples?count=3')).json()) as {
      index: number;
      label: string;
      labelIndex: number;
      png: string;
    }[];
    assert.equal(samples.length, 3);
    for (const sample of samples) {
      assert.equal(sample.label, LABELS[sample.labelIndex].name);
      assert.equal(
        Buffer.from(sample.png, 'base64').subarray(1, 4).toString(),
        'PNG',
      );
    }
    assert.equal((await get('/v1/samples?count=0')).status, 400);

    const preview = async (bytes: Uint8Array, type = 'image/png') => {
      const form = new FormData();
      form.append('file', new Blob([bytes], { type }), 'upload.png');
      const response = await fetch(`${gateway.url}/v1/previews`, {
        method: 'POST',
        body: form,
      });
      return {
        status: response.status,
        body: (await response.json()) as { pixels: string; message: string },
      };
    };
    const png = await encodePng(image.pixels);
    const seen = await preview(png);
    assert.equal(seen.status, 200);
    assert.deepEqual(
      Buffer.from(seen.body.pixels, 'base64'),
      Buffer.from(image.pixels),
    );
    const truncated = await preview(png.subarray(0, png.length / 2));
    assert.equal(truncated.status, 422);
    assert.match(truncated.body.message, /upload\.png/);
    assert.equal((await preview(new Uint8Array(0))).status, 400);
    assert.equal(
      (await preview(Buffer.from('words'), 'text/plain')).status,
      415,
    );
  });

  it('classifies an uploaded test image: label, probability chart and the 28x28 the model saw', async () => {
    await page.setInputFiles('#file-input', {
      name: 'test-0.png',
      mimeType: 'image/png',
      buffer: await encodePng(image.pixels),
    });
    const card = page.locator('#results .card:not([aria-busy])').first();
    await card.waitFor();
    assert.equal(
      await textOf('#results .card .predicted-label'),
      LABELS[image.label].name,
    );
    const bars = card.locator('svg.bar-chart rect.bar');
    assert.equal(await bars.count(), 10);
    const widths = await Promise.all(
      LABELS.map(async (_, index) =>
        Number(await bars.nth(index).getAttribute('width')),
      ),
    );
    assert.equal(widths.indexOf(Math.max(...widths)), image.label);
    assert.match(
      (await card.locator('.meta').textContent()) ?? '',
      new RegExp(`Model ${modelName} v1 · [\\d.]+ ms`),
    );
    // A test image is already 28x28, so the model sees exactly its bytes.
    const seen = await page.evaluate<number[]>(`
      Array.from(
        document.querySelector('#results .card canvas.seen').getContext('2d')
          .getImageData(0, 0, 28, 28).data,
      ).filter((_, index) => index % 4 === 0)
    `);
    assert.deepEqual(seen, Array.from(image.pixels));
    assert.match(await textOf('#inference-status'), /1 image classified/);

    await page.click('#samples-button');
    const samples = page.locator('#sample-list button.sample');
    await samples.nth(11).waitFor();
    await samples.first().click();
    assert.match(
      await textOf('#results .card:not([aria-busy]) .truth'),
      /^(Right|Wrong): the test image is an? /,
    );
    await screenshot(page, 'web-page-inference');
  });

  it('says in words why an upload that is not an image fails', async () => {
    await page.setInputFiles('#file-input', {
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('just some words, not pixels'),
    });
    const message = await textOf('#results .card.failed .error');
    assert.match(message, /^notes\.txt could not be classified: /);
    assert.match(message, /not an image/);
    assert.match(message, /error 415/);
    assert.match(await textOf('#inference-status'), /1 failed/);
    await screenshot(page, 'web-page-invalid-upload');
  });

  it("offers the trainer's architectures, each with the trainer's own defaults", async () => {
    await page.click('#tab-training');
    await page
      .locator('#architecture option')
      .nth(2)
      .waitFor({ state: 'attached', timeout: UI_TIMEOUT_MS });
    const form = () =>
      Promise.all(
        [
          '#architecture',
          '#epochs',
          '#batch-size',
          '#learning-rate',
          '#label-smoothing',
        ].map((field) => page.inputValue(field)),
      );
    const { epochs, batchSize, learningRate, labelSmoothing } =
      DEFAULT_TRAINING;
    assert.deepEqual(
      await form(),
      ['default-cnn', epochs, batchSize, learningRate, labelSmoothing].map(
        String,
      ),
    );
    await page.selectOption('#architecture', 'seed-cnn');
    assert.deepEqual(await form(), ['seed-cnn', '2', '20', '0.001', '0']);
    assert.match(await textOf('#architecture-hint'), /model_training\.py/);
    await page.selectOption('#architecture', 'default-cnn');
  });

  it("asks in words for the trainer's API key, and keeps the one entered for the tab", async () => {
    const formError = (pattern: RegExp) =>
      page.locator('#form-error', { hasText: pattern }).waitFor();
    await page.click('#tab-training');
    await page.fill('#train-limit', '1000');
    await page.fill('#epochs', '1');
    await page.click('#start-button');
    await formError(/asks for its API key/);
    assert.match(
      await textOf('#form-error'),
      /^The job could not be started: the trainer asks for its API key: enter it in the "Trainer API key" field .*\(error 401 Unauthorized\)\.$/,
    );
    await screenshot(page, 'web-page-api-key');

    await page.fill('#api-key', `${TRAINER_API_KEY}-wrong`);
    await page.click('#start-button');
    await formError(/did not accept the API key/);

    await page.fill('#api-key', TRAINER_API_KEY);
    await page.reload();
    await page.click('#tab-training');
    assert.equal(await page.inputValue('#api-key'), TRAINER_API_KEY);
    const jobs = (await (
      await fetch(`${trainer.url}/v1/training-jobs`)
    ).json()) as unknown[];
    assert.deepEqual(jobs, [], 'a job started without the key');
  });

  it('trains a small model with live progress to 100%, then lists it and promotes it', async () => {
    await page.click('#tab-training');
    await page.fill('#train-limit', '1000');
    await page.fill('#epochs', '1');
    await page.fill('#batch-size', '100');
    await page.fill('#model-name', trainedName);
    // Every progress text the page shows, to see it grow rather than jump to the end.
    await page.evaluate(`
      window.progressSeen = [];
      new MutationObserver(() =>
        window.progressSeen.push(document.querySelector('#job-progress-text').textContent),
      ).observe(document.querySelector('#job-progress-text'), { childList: true, subtree: true });
    `);
    await page.click('#start-button');

    // Locators, not string predicates: the page's policy forbids evaluating strings.
    await page
      .locator('#job-progress-text', { hasText: /^100%$/ })
      .waitFor({ timeout: TRAINING_TIMEOUT_MS });
    const seen = await page.evaluate<string[]>('window.progressSeen');
    const values = seen.map((text) => Number.parseInt(text, 10));
    assert.deepEqual(
      values,
      [...values].sort((a, b) => a - b),
      `progress went back: ${seen.join(', ')}`,
    );
    assert.equal(
      await page.locator('#job-progress').getAttribute('value'),
      '100',
    );

    await page
      .locator('#job-state', { hasText: /^Done: published/ })
      .waitFor({ timeout: TRAINING_TIMEOUT_MS });
    assert.match(
      await textOf('#job-state'),
      new RegExp(`Done: published ${trainedName} v1`),
    );
    const row = page.locator(`#models-table tr[data-model="${trainedName}:1"]`);
    await row.waitFor();
    assert.equal(
      await page.locator('#confusion-matrix svg rect.cell').count(),
      100,
    );
    assert.equal(await page.locator('#class-metrics tbody tr').count(), 10);
    assert.ok(
      (await page
        .locator('#loss-chart polyline.training')
        .getAttribute('points'))!.length > 0,
      'no loss curve was drawn',
    );
    await screenshot(page, 'web-page-training');

    await page.click('#promote-button');
    await page
      .locator(`#models-table tr.active[data-model="${trainedName}:1"]`)
      .waitFor();
    assert.match(await textOf('#promote-status'), /is now the active model/);
  });

  it('starts a shadow rollout, shows its figures as requests come, and ends it', async () => {
    const form = new FormData();
    form.append('file', new Blob([await encodePng(image.pixels)]), 'item.png');
    await page.click('#tab-training');
    await page
      .locator(`#rollout-candidate option[value="${modelName}:1"]`)
      .waitFor({ state: 'attached' });
    await page.selectOption('#rollout-candidate', `${modelName}:1`);
    await page.selectOption('#rollout-mode', 'shadow');
    await page.fill('#rollout-percent', '100');
    await page.click('#rollout-start');
    try {
      await page
        .locator('#rollout-status', {
          hasText: `Shadow of ${modelName} v1 on 100% of the requests: running.`,
        })
        .waitFor();
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${gateway.url}/v1/classifications`, {
          method: 'POST',
          body: form,
        });
        assert.equal(response.status, 200);
      }
      await page
        .locator('#rollout-summary', {
          hasText: /^3 requests from 1 classifier; agreement/,
        })
        .waitFor();
      assert.equal(await page.locator('#rollout-classes tbody tr').count(), 1);
      await screenshot(page, 'web-page-rollout');
    } finally {
      await page.click('#rollout-end');
    }
    await page.locator('#rollout-status', { hasText: /: ended\.$/ }).waitFor();
    assert.match(
      await textOf('#rollout-history li:last-child'),
      /ended, ended on request/,
    );
    assert.ok(await page.locator('#rollout-end').isHidden());
  });

  it('says in words that the trainer is down, and the gateway answers at once', async () => {
    await trainer.stop();
    const started = Date.now();
    const response = await fetch(`${gateway.url}/v1/training-jobs`, {
      signal: AbortSignal.timeout(5_000),
    });
    assert.equal(response.status, 503);
    const body = (await response.json()) as { message: string };
    assert.match(body.message, /trainer is not reachable/);
    assert.doesNotMatch(body.message, /127\.0\.0\.1|localhost|TRAINER_URL/);
    assert.ok(Date.now() - started < 2_000);

    await page.reload();
    await page.click('#tab-training');
    await page.locator('#jobs-status', { hasText: /not reachable/ }).waitFor();
    assert.match(
      await textOf('#jobs-status'),
      /^The training jobs could not be listed: the trainer is not reachable .* \(error 503/,
    );
    await screenshot(page, 'web-page-trainer-down');
  });
});
