import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { after, before, describe, it } from 'node:test';
import {
  agreementReport,
  argMaxRows,
  countFlips,
  emptyFlipMatrix,
  encodePng,
  IMAGE_PIXELS,
  weightsChecksum,
  type ModelArtifacts,
  type ModelRef,
  type RolloutEvent,
} from '#fmnist';
import { deserializeModel, predictProbabilities } from '#fmnist/tensorflow';
import {
  startClassificationStack,
  type ClassificationStack,
} from '#testing/classification-stack';
import { officialTestImages } from '#testing/fixture-images';
import { metric } from '#testing/metrics';
import { startOwnBroker, type OwnBroker } from '#testing/own-broker';
import { postImage, startTestApp, type AppProcess } from '#testing/test-apps';
import { testModelRecord, trainedModelArtifacts } from '#testing/test-model';
import {
  allStarted,
  request,
  startTrainer,
  trainerFolders,
  type TrainerFolders,
} from '#testing/trainer-test-kit';
import { waitFor } from '#testing/wait-for';
import type { RolloutDto } from '../src/rollouts/dto/rollout.dto.js';

const IMAGES = 200;
const REPORT_INTERVAL_MS = '200';

/**
 * Another small real model, so the candidate disagrees with the active one on some images:
 * the same architecture trained for one epoch on other images of the training split.
 */
const otherModelArtifacts = () =>
  trainedModelArtifacts({
    architecture: 'prototype-cnn',
    from: 40_000,
    count: 4_000,
    epochs: 1,
    batchSize: 64,
  });

/** The classes a model's weights give each image, in the test process, without Kafka. */
async function offlineAnswers(
  artifacts: ModelArtifacts,
  images: Uint8Array[],
): Promise<Uint8Array> {
  const model = await deserializeModel(artifacts);
  try {
    const pixels = new Uint8Array(images.length * IMAGE_PIXELS);
    images.forEach((image, i) => pixels.set(image, i * IMAGE_PIXELS));
    return argMaxRows(await predictProbabilities(model, pixels, images.length));
  } finally {
    model.dispose();
  }
}

describe('rollouts of a candidate version on live traffic (real broker, two classifiers)', () => {
  let broker: OwnBroker;
  let folders: TrainerFolders;
  let trainer: AppProcess;
  let stack: ClassificationStack;
  let secondClassifier: AppProcess;
  let images: Uint8Array[];
  let pngs: Buffer[];
  let other: ModelArtifacts;
  const ref = (version: number): ModelRef => ({
    name: stack.modelName,
    version,
  });
  const [SAME, OTHER, BROKEN] = [2, 3, 4];

  const rollout = () =>
    request<RolloutDto & { message?: string }>(
      stack.gateway,
      'GET',
      '/v1/rollout',
    );
  const startRollout = async (version: number, settings: object) => {
    const { status, body } = await request<RolloutDto & { message?: string }>(
      stack.gateway,
      'POST',
      `/v1/models/${stack.modelName}/versions/${version}/rollout`,
      settings,
    );
    assert.equal(status, 201, body.message);
    assert.equal(body.state, 'running');
    return body;
  };
  const endRollout = () =>
    request<RolloutDto>(stack.gateway, 'DELETE', '/v1/rollout');

  /** Classifies `pngs` through the gateway, four at a time; the versions that answered, in order. */
  const classifyAll = async (
    uploads: Buffer[],
    until: () => boolean = () => false,
  ): Promise<{ status: number; version?: number }[]> => {
    const answers: { status: number; version?: number }[] = [];
    let next = 0;
    const worker = async () => {
      while (next < uploads.length && !until()) {
        const index = next++;
        const response = await postImage(stack.gateway, uploads[index]);
        const body = (await response.json()) as {
          results?: { model: ModelRef }[];
        };
        answers[index] = {
          status: response.status,
          version: body.results?.[0].model.version,
        };
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    return answers.filter(Boolean);
  };

  before(async () => {
    const [testImages] = await Promise.all([
      officialTestImages(IMAGES),
      startOwnBroker().then((b) => (broker = b)),
      otherModelArtifacts().then((artifacts) => (other = artifacts)),
    ]);
    images = testImages.map((image) => image.pixels);
    pngs = await Promise.all(images.map((pixels) => encodePng(pixels)));
    folders = await trainerFolders();
    trainer = await startTrainer(folders, { KAFKA_BROKERS: broker.brokers });
    const classifierEnv = {
      ROLLOUT_REPORT_INTERVAL_MS: REPORT_INTERVAL_MS,
      KAFKA_BROKERS: broker.brokers,
    };
    stack = await startClassificationStack({
      prefix: 'rollout',
      versions: SAME,
      brokers: broker.brokers,
      gateway: {
        TRAINER_URL: trainer.url,
        CLASSIFY_TIMEOUT_MS: '10000',
        // A request sent again would be scored twice: counts exact to the request need none.
        CLASSIFY_RESEND_MIN_MS: '0',
      },
      classifier: classifierEnv,
    });
    await allStarted([
      startTestApp('classifier', classifierEnv).then(
        (app) => (secondClassifier = app),
      ),
    ]);
    await stack.registry.publish(testModelRecord(ref(OTHER), other));
    // Published with the checksum of other weights: no classifier can load it, so it fails every request.
    const weights = Buffer.from(other.weightData, 'base64');
    weights[0] ^= 0xff;
    await stack.registry.publish({
      ...testModelRecord(ref(BROKEN), {
        ...other,
        weightData: weights.toString('base64'),
      }),
      weightsSha256: weightsChecksum(other.weightData),
    });
  });

  after(async () => {
    await Promise.all([secondClassifier?.stop(), trainer?.stop()]);
    await stack?.stop();
    await broker?.stop();
    await folders?.remove();
  });

  it('says there is no rollout before the first one', async () => {
    const { status, body } = await rollout();
    assert.equal(status, 404);
    assert.match(body.message ?? '', /no rollout/);
  });

  it('refuses a rollout of the active version, or of one that does not exist', async () => {
    const path = (version: number) =>
      `/v1/models/${stack.modelName}/versions/${version}/rollout`;
    const settings = { mode: 'shadow', percent: 10 };
    const active = await request<{ message: string }>(
      stack.gateway,
      'POST',
      path(1),
      settings,
    );
    assert.equal(active.status, 409);
    assert.match(active.body.message, /active version/);
    const missing = await request(stack.gateway, 'POST', path(99), settings);
    assert.equal(missing.status, 404);
    const invalid = await request<{ message: string[] }>(
      stack.gateway,
      'POST',
      path(OTHER),
      { mode: 'blue-green', percent: 0 },
    );
    assert.equal(invalid.status, 400);
    assert.deepEqual(invalid.body.message.length, 2);
  });

  it('in shadow, answers with the active model and reports the agreement measured offline', async () => {
    await startRollout(OTHER, { mode: 'shadow', percent: 100 });
    const answers = await classifyAll(pngs);
    assert.deepEqual(
      answers.filter((answer) => answer.status !== 200 || answer.version !== 1),
      [],
      'every answer comes from the active model',
    );
    await waitFor(
      async () => (await rollout()).body.figures.requests === IMAGES,
    );
    const { figures } = (await rollout()).body;

    const [active, candidate] = await Promise.all([
      offlineAnswers(stack.artifacts, images),
      offlineAnswers(other, images),
    ]);
    const offline = agreementReport(
      countFlips(emptyFlipMatrix(), active, candidate),
    );
    console.log(
      `shadow agreement ${figures.agreement} over ${figures.compared} images (offline ${offline.agreement}), candidate p50 ${figures.candidateLatency.p50Ms} ms p99 ${figures.candidateLatency.p99Ms} ms`,
    );
    assert.ok(offline.agreement < 1, 'the two models differ on some images');
    assert.equal(figures.compared, IMAGES);
    assert.equal(figures.agreement, offline.agreement);
    assert.deepEqual(figures.flipMatrix, offline.flipMatrix);
    assert.deepEqual(figures.perClass, offline.perClass);
    assert.equal(figures.candidateErrors, 0);
    assert.equal(figures.classifiers, 2, 'both classifiers were counted');
    assert.ok(
      figures.candidateLatency.p99Ms! >= figures.candidateLatency.p50Ms!,
    );
    assert.equal(
      await metric(trainer, 'trainer_rollout_agreement', {
        version: String(OTHER),
        mode: 'shadow',
      }),
      offline.agreement,
    );

    const ended = await endRollout();
    assert.equal(ended.status, 200);
    assert.equal(ended.body.state, 'ended');
    assert.deepEqual(
      ended.body.history.map((event) => event.event),
      ['started', 'ended'],
    );
    assert.equal((await endRollout()).status, 404, 'nothing left to end');
  });

  it('in canary at 20%, answers about a fifth of the requests with the candidate', async () => {
    await startRollout(OTHER, { mode: 'canary', percent: 20 });
    const uploads = [...pngs, ...pngs];
    const answers = await classifyAll(uploads);
    assert.ok(answers.every((answer) => answer.status === 200));
    const byCandidate = answers.filter((answer) => answer.version === OTHER);
    const share = byCandidate.length / answers.length;
    console.log(
      `canary 20%: ${byCandidate.length} of ${answers.length} requests answered by the candidate (${(share * 100).toFixed(1)}%)`,
    );
    // 400 requests: the share's standard deviation is 2 points; 7 points is beyond 3.5 of them.
    assert.ok(Math.abs(share - 0.2) < 0.07, `share ${share}`);
    assert.ok(
      answers.every(
        (answer) => answer.version === 1 || answer.version === OTHER,
      ),
    );
    await waitFor(
      async () =>
        (await rollout()).body.figures.requests === byCandidate.length,
    );
    assert.equal((await endRollout()).body.state, 'ended');
  });

  it('rolls back a candidate that fails every request, with no failed answer in shadow', async () => {
    const minRequests = 20;
    await startRollout(BROKEN, {
      mode: 'shadow',
      percent: 100,
      autoRollback: { minRequests, maxErrorRate: 0.1 },
    });
    let state = 'running';
    const watch = setInterval(() => {
      void rollout().then(({ body }) => (state = body.state));
    }, 100);
    let answers: { status: number; version?: number }[];
    try {
      answers = await classifyAll(
        Array.from({ length: 150 }, (_, i) => pngs[i % pngs.length]),
        () => state !== 'running',
      );
    } finally {
      clearInterval(watch);
    }
    await waitFor(async () => (await rollout()).body.state !== 'running');
    const { body } = await rollout();
    const decision = body.history.at(-1) as RolloutEvent;
    console.log(
      `failing candidate rolled back after ${decision.figures?.requests} of its requests (${answers.length} sent meanwhile): ${decision.reason}`,
    );
    assert.equal(body.state, 'rolled-back');
    assert.equal(decision.event, 'rolled-back');
    assert.match(decision.reason, /error rate 1 > 0.1 after \d+ requests/);
    assert.ok(decision.figures!.requests >= minRequests);
    assert.equal(decision.figures!.errorRate, 1);
    assert.ok(
      answers.length < 150,
      'the rollback came before the clients stopped sending',
    );
    assert.deepEqual(
      answers.filter((answer) => answer.status !== 200 || answer.version !== 1),
      [],
      'no client saw the candidate fail',
    );
    assert.match(body.figures.lastError ?? '', /checksum/);
    const rolledBack = await metric(trainer, 'trainer_rollout_running');
    assert.equal(rolledBack, 0);
  });

  it('in canary, answers with the active model where the candidate fails, and counts each failure', async () => {
    await startRollout(BROKEN, { mode: 'canary', percent: 100 });
    const answers = await classifyAll(pngs.slice(0, 30));
    assert.deepEqual(
      answers.filter((answer) => answer.status !== 200 || answer.version !== 1),
      [],
      'every request was answered by the active model instead',
    );
    await waitFor(async () => (await rollout()).body.figures.requests === 30);
    const { figures } = (await rollout()).body;
    assert.equal(figures.candidateErrors, 30);
    assert.equal(figures.errorRate, 1);
    assert.equal(figures.compared, 0);
  });

  it('ends the rollout of a candidate that is retired', async () => {
    const retired = await fetch(
      `${stack.gateway.url}/v1/models/${stack.modelName}/versions/${BROKEN}`,
      { method: 'DELETE' },
    );
    assert.equal(retired.status, 204);
    await waitFor(async () => (await rollout()).body.state === 'ended');
    assert.equal(
      (await rollout()).body.history.at(-1)?.reason,
      'the candidate was retired',
    );
  });

  it('promotes a candidate that passes the limits', async () => {
    await startRollout(SAME, {
      mode: 'shadow',
      percent: 50,
      autoPromote: { minRequests: 20, minAgreement: 0.99, maxErrorRate: 0 },
      autoRollback: { minRequests: 20, maxErrorRate: 0.1 },
    });
    await classifyAll(pngs, () => stack.registry.isActive(ref(SAME)));
    // The trainer promotes the candidate in the registry first, then records the rollout's end.
    await waitFor(async () => (await rollout()).body.state !== 'running');
    await waitFor(() => Promise.resolve(stack.registry.isActive(ref(SAME))));
    const { body } = await rollout();
    assert.equal(body.state, 'promoted');
    assert.match(body.history.at(-1)!.reason, /within the limits/);
    assert.equal(body.history.at(-1)!.figures?.agreement, 1);
    await waitFor(async () => {
      const answer = await classifyAll(pngs.slice(0, 1));
      return answer[0].version === SAME;
    });
  });

  it('keeps the rollout, its history and its figures in Kafka: a restarted trainer shows them', async () => {
    // Tallies of requests scored just before the last decision may still arrive: compare once the
    // figures have stopped changing for longer than the classifiers' report interval.
    let before = (await rollout()).body;
    await waitFor(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const latest = (await rollout()).body;
      const settled = isDeepStrictEqual(latest, before);
      before = latest;
      return settled;
    });
    await trainer.stop();
    trainer = await startTrainer(folders, { KAFKA_BROKERS: broker.brokers });
    const { body } = await request<RolloutDto>(trainer, 'GET', '/v1/rollout');
    assert.deepEqual(body, before);
  });
});
