import type { OpenAPIObject } from '@nestjs/swagger';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { encodePng } from '#fmnist';
import type { ModelRegistryService } from '#model-registry';
import {
  officialTestImages,
  photoLikeJpeg,
  pngDeclaring,
} from '#testing/fixture-images';
import {
  runSchemathesis,
  schemathesisCommand,
  type SchemathesisRun,
} from '#testing/schemathesis';
import { startTestApp, type AppProcess } from '#testing/test-apps';
import {
  connectRegistry,
  testModelArtifacts,
  testModelRecord,
} from '#testing/test-model';
import {
  request,
  startTrainer,
  trainerFolders,
  type TrainerFolders,
} from '#testing/trainer-test-kit';
import type { TrainingJob } from '../apps/trainer/src/training-jobs/training-job.js';

/** Examples per operation and phase, and the seed: CONTRACT_EXAMPLES and CONTRACT_SEED change them. */
const EXAMPLES = Number(process.env.CONTRACT_EXAMPLES ?? 15);
const SEED = Number(process.env.CONTRACT_SEED ?? 22);
const MAX_UPLOAD_BYTES = 64 * 1024;
/** The trainer's API as the gateway forwards it (GET /v1/models is the gateway's own). */
const FORWARDED_PATHS =
  '^/v1/(training-jobs|architectures|replays|models/[{]name[}]/versions)';

describe('the OpenAPI descriptions hold for the running apps (Schemathesis, every check)', () => {
  const modelName = `contract-${randomUUID().slice(0, 8)}`;
  let registry: ModelRegistryService;
  let folders: TrainerFolders;
  let classifier: AppProcess;
  let trainer: AppProcess;
  let gateway: AppProcess;
  let apps: AppProcess[];
  let imagesDir: string;
  let schemathesis: string;
  let sample: { png: Buffer; jpeg: Buffer };

  before(async () => {
    const [artifacts, images, command] = await Promise.all([
      testModelArtifacts(),
      officialTestImages(3),
      schemathesisCommand(),
    ]);
    schemathesis = command;
    registry = await connectRegistry();
    await registry.publish(
      testModelRecord({ name: modelName, version: 1 }, artifacts),
    );
    await registry.promote({ name: modelName, version: 1 });
    // Valid job requests create jobs that train nothing: the trainer has no dataset at all (a
    // job that starts fails at loading), and the hooks cancel every job as soon as it is created.
    folders = await trainerFolders();
    await mkdir(folders.dataRoot, { recursive: true });
    [classifier, trainer] = await Promise.all([
      startTestApp('classifier'),
      startTrainer(folders, {
        FMNIST_DIR: folders.dataRoot,
        TRAINER_CONCURRENCY: '1',
      }),
    ]);
    gateway = await startTestApp('gateway', {
      TRAINER_URL: trainer.url,
      MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
    });
    apps = [gateway, classifier, trainer];
    await Promise.all(apps.map(waitUntilReady));
    // What Schemathesis cannot make: real images, for the uploads (tools/testing/schemathesis/hooks.py).
    imagesDir = await mkdtemp(join(tmpdir(), 'contract-images-'));
    const pngs = await Promise.all(
      images.map((image) => encodePng(image.pixels)),
    );
    sample = {
      png: Buffer.from(pngs[0]),
      jpeg: await photoLikeJpeg(images[0].pixels),
    };
    await Promise.all([
      ...pngs.map((png, index) =>
        writeFile(join(imagesDir, `test-${index}.png`), png),
      ),
      writeFile(join(imagesDir, 'photo.jpg'), sample.jpeg),
    ]);
  });

  after(async () => {
    await Promise.all([
      gateway?.stop(),
      classifier?.stop(),
      trainer?.stop(),
      registry?.onModuleDestroy(),
    ]);
    await folders?.remove();
    if (imagesDir) await rm(imagesDir, { recursive: true, force: true });
  });

  async function check(
    t: TestContext,
    run: Omit<SchemathesisRun, 'seed' | 'maxExamples' | 'env'>,
  ): Promise<void> {
    const result = await runSchemathesis(schemathesis, {
      ...run,
      seed: SEED,
      maxExamples: EXAMPLES,
      env: { CONTRACT_MODEL: modelName, CONTRACT_IMAGES: imagesDir },
    });
    t.diagnostic(
      `${run.name}: ${result.summary} (seed ${SEED}, ${EXAMPLES} examples; output and replays in ${result.folder})`,
    );
    for (const app of apps) {
      assert.ok(
        app.running,
        `the ${app.app} exited\n${app.output.slice(-15).join('\n')}`,
      );
    }
    assert.ok(result.passed, failures(result.output));
  }

  it('the gateway keeps its description', (t) =>
    check(t, {
      name: 'gateway',
      schema: `${gateway.url}/docs-json`,
      // No operation of the gateway creates what another reads: a stateful phase would only
      // chain unrelated requests (the trainer's jobs have theirs, below).
      phases: ['examples', 'coverage', 'fuzzing'],
    }));

  it('the classifier keeps its description', (t) =>
    check(t, { name: 'classifier', schema: `${classifier.url}/docs-json` }));

  it('the trainer keeps its description, creating, reading, cancelling and removing jobs', (t) =>
    check(t, { name: 'trainer', schema: `${trainer.url}/docs-json` }));

  it("the trainer's API forwarded by the gateway keeps the trainer's description", (t) =>
    check(t, {
      name: 'trainer-through-gateway',
      schema: `${trainer.url}/docs-json`,
      baseUrl: gateway.url,
      includePath: FORWARDED_PATHS,
    }));

  it('answers damaged and oversized images with a documented error', async () => {
    const document = (await (
      await fetch(`${gateway.url}/docs-json`)
    ).json()) as OpenAPIObject;
    const uploads: [string, Buffer, string][] = [
      [
        'a truncated PNG',
        sample.png.subarray(0, sample.png.length / 2),
        'image/png',
      ],
      [
        'a truncated JPEG',
        sample.jpeg.subarray(0, sample.jpeg.length / 2),
        'image/jpeg',
      ],
      [
        'random bytes named PNG',
        Buffer.from(randomUUID().repeat(20)),
        'image/png',
      ],
      [
        'a PNG declaring 100000x100000 pixels',
        await pngDeclaring(100_000, 100_000),
        'image/png',
      ],
      [
        'a file over MAX_UPLOAD_BYTES',
        Buffer.concat([sample.png, Buffer.alloc(MAX_UPLOAD_BYTES)]),
        'image/png',
      ],
    ];
    for (const path of ['/v1/classifications', '/v1/previews']) {
      const documented = Object.keys(document.paths[path].post!.responses);
      for (const [what, bytes, type] of uploads) {
        const form = new FormData();
        form.append('file', new Blob([bytes], { type }), 'upload');
        const response = await fetch(`${gateway.url}${path}`, {
          method: 'POST',
          body: form,
        });
        const body = (await response.json()) as Record<string, unknown>;
        const exchange = `${what} to ${path}: ${response.status} ${JSON.stringify(body)}`;
        assert.ok([413, 415, 422].includes(response.status), exchange);
        assert.ok(documented.includes(String(response.status)), exchange);
        assert.equal(body.statusCode, response.status, exchange);
        assert.equal(typeof body.message, 'string', exchange);
        assert.equal(typeof body.error, 'string', exchange);
      }
    }
  });

  it('leaves every app running and healthy, and no job running', async () => {
    for (const app of apps) {
      assert.ok(app.running, `the ${app.app} exited`);
      const response = await fetch(`${app.url}/health`);
      assert.equal(response.status, 200, `${app.app} /health`);
    }
    const { body: jobs } = await request<TrainingJob[]>(
      trainer,
      'GET',
      '/v1/training-jobs',
    );
    assert.deepEqual(
      jobs.filter((job) => ['queued', 'running'].includes(job.state)),
      [],
    );
  });
});

/** Schemathesis' report from its failures on, which names each with a curl command to replay. */
function failures(output: string): string {
  const start = output.indexOf('=== FAILURES');
  return start < 0 ? output.slice(-6000) : output.slice(start, start + 12_000);
}

/** Readiness (Kafka connected, the classifier's model loaded), so that no 503 is legitimate. */
async function waitUntilReady(app: AppProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await fetch(`${app.url}/health/ready`, {
      signal: AbortSignal.timeout(5000),
    });
    if (response.ok) return;
    assert.ok(Date.now() < deadline, `${app.app} not ready after 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
