import type { OpenAPIObject } from '@nestjs/swagger';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, it, type TestContext } from 'node:test';
import { encodePng } from '#fmnist';
import type { ModelRegistryService } from '#model-registry';
import {
  request,
  startTrainer,
  submitJob,
  trainerFolders,
  type TrainerFolders,
} from '#testing/trainer-test-kit';
import type { TrainingJob } from '../apps/trainer/src/training-jobs/training-job.js';
import { officialTestImages, photoLikeJpeg } from '#testing/fixture-images';
import {
  fuzzOperations,
  type FuzzResponse,
  type FuzzTarget,
} from '#testing/openapi-fuzz/fuzz-operations';
import {
  describeRequest,
  type FuzzRequest,
  type Operation,
  type SampleFile,
} from '#testing/openapi-fuzz/request-arbitraries';
import { startTestApp, type AppProcess } from '#testing/test-apps';
import {
  connectRegistry,
  testModelArtifacts,
  testModelRecord,
} from '#testing/test-model';

/** Requests per operation; FUZZ_RUNS and FUZZ_SEED (printed with every report) replay a run. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const SEED = Number(
  process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31),
);
/** Longer than any answer may take (the gateway's classification timeout is 10 s): a hang. */
const ANSWER_TIMEOUT_MS = 30_000;
const MAX_UPLOAD_BYTES = 64 * 1024;
const CREATE_JOB = 'POST /v1/training-jobs';
const CREATE_REPLAY = 'POST /v1/replays';

describe('requests generated from the OpenAPI descriptions', () => {
  const modelName = `fuzz-${randomUUID().slice(0, 8)}`;
  let registry: ModelRegistryService;
  let folders: TrainerFolders;
  let classifier: AppProcess;
  let trainer: AppProcess;
  let gateway: AppProcess;
  let apps: AppProcess[];
  let sampleFiles: SampleFile[];
  const jobIds: string[] = [];

  before(async () => {
    const [artifacts, images] = await Promise.all([
      testModelArtifacts(),
      officialTestImages(3),
    ]);
    registry = await connectRegistry();
    await registry.publish(
      testModelRecord({ name: modelName, version: 1 }, artifacts),
    );
    await registry.promote({ name: modelName, version: 1 });
    // A created job starts training at once. So that valid requests still create jobs (the
    // defaults included) without training: the trainer has no dataset at all (no folders, no
    // official files: a job that starts fails at loading), runs one job at a time, and every job
    // the fuzz creates is cancelled, its worker killed, as soon as the 201 is read.
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
    const job = await submitJob(trainer, { epochs: 1 });
    await cancelJob(job.id);
    sampleFiles = [
      ...(await Promise.all(
        images.map(async (image) => ({
          name: `test-${image.index}.png`,
          type: 'image/png',
          bytes: new Uint8Array(await encodePng(image.pixels)),
        })),
      )),
      {
        name: 'photo.jpg',
        type: 'image/jpeg',
        bytes: new Uint8Array(await photoLikeJpeg(images[0].pixels)),
      },
    ];
  });

  after(async () => {
    await Promise.all([
      gateway?.stop(),
      classifier?.stop(),
      trainer?.stop(),
      registry?.onModuleDestroy(),
    ]);
    await folders?.remove();
  });

  async function cancelJob(id: string): Promise<void> {
    jobIds.push(id);
    const { status } = await request(
      trainer,
      'DELETE',
      `/v1/training-jobs/${id}`,
    );
    assert.equal(status, 200, `job ${id} could not be cancelled`);
  }

  /** The rules every answer keeps, whatever was sent. */
  function check(
    operation: Operation,
    sent: FuzzRequest,
    response: FuzzResponse,
  ): void {
    const exchange = `${describeRequest(sent)} -> ${response.status} ${response.body?.slice(0, 300) ?? ''}`;
    for (const app of apps) {
      assert.ok(
        app.running,
        `the ${app.app} exited after ${exchange}\n${app.output.slice(-15).join('\n')}`,
      );
    }
    // No 5xx at all: the documented ones (503 no model or Kafka unreachable, 504 no classifier in
    // time, 502 to 504 when the trainer is away) have no cause here, with every app up and ready.
    assert.ok(response.status < 500, `server error: ${exchange}`);
    if (response.status >= 400) {
      assert.match(
        response.contentType,
        /^application\/json/,
        `error not in JSON: ${exchange}`,
      );
      const { message } = JSON.parse(response.body ?? '') as {
        message?: unknown;
      };
      assert.ok(isMessage(message), `error without a message: ${exchange}`);
    }
  }

  async function fuzz(t: TestContext, target: FuzzTarget): Promise<void> {
    t.diagnostic(
      `${target.name}: ${RUNS} requests per operation, seed ${SEED} (FUZZ_SEED=${SEED} replays)`,
    );
    const report = await fuzzOperations(target, {
      runs: RUNS,
      seed: SEED,
      timeoutMs: ANSWER_TIMEOUT_MS,
      check,
    });
    const histogram = Object.entries(report.statuses)
      .map(([status, count]) => `${status}: ${count}`)
      .join(', ');
    t.diagnostic(
      `${target.name}: ${report.requests} requests tried; statuses ${histogram}`,
    );
    for (const [operation, statuses] of Object.entries(report.undocumented)) {
      t.diagnostic(
        `${target.name}: ${operation} answered undocumented ${statuses.sort().join(', ')}`,
      );
    }
    assert.ok(report.requests > 0);
  }

  const trainerTarget = async (
    name: string,
    baseUrl: string,
    include?: (operation: Operation) => boolean,
  ): Promise<FuzzTarget> => ({
    name,
    baseUrl,
    document: await openApiOf(trainer),
    include,
    knownValues: () => ({
      id: jobIds,
      name: [modelName],
      version: ['1'],
    }),
    afterResponse: async (operation, response) => {
      if (operation.id === CREATE_JOB && response.status === 201) {
        await cancelJob((JSON.parse(response.body!) as TrainingJob).id);
      }
      // Replays run one at a time and few may wait: each one the fuzz starts is cancelled.
      if (operation.id === CREATE_REPLAY && response.status === 201) {
        const { id } = JSON.parse(response.body!) as { id: string };
        await request(trainer, 'POST', `/v1/replays/${id}/cancel`);
      }
    },
  });

  it('the gateway answers every request without a server error', async (t) => {
    await fuzz(t, {
      name: 'gateway',
      baseUrl: gateway.url,
      document: await openApiOf(gateway),
      knownValues: () => ({
        model: [modelName, `${modelName}:1`],
        name: [modelName],
        version: ['1'],
      }),
      sampleFiles,
      oversizeBytes: MAX_UPLOAD_BYTES * 2,
    });
  });

  it('the classifier answers every request without a server error', async (t) => {
    await fuzz(t, {
      name: 'classifier',
      baseUrl: classifier.url,
      document: await openApiOf(classifier),
    });
  });

  it('the trainer answers every request without a server error', async (t) => {
    await fuzz(t, await trainerTarget('trainer', trainer.url));
  });

  it("the trainer's API forwarded by the gateway answers without a server error", async (t) => {
    await fuzz(
      t,
      await trainerTarget(
        'trainer through the gateway',
        gateway.url,
        ({ path }) =>
          path.startsWith('/v1/training-jobs') ||
          path.startsWith('/v1/models/{name}/versions') ||
          path === '/v1/rollout' ||
          path.startsWith('/v1/replays'),
      ),
    );
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

async function openApiOf(app: AppProcess): Promise<OpenAPIObject> {
  const response = await fetch(`${app.url}/docs-json`);
  assert.equal(response.status, 200);
  return (await response.json()) as OpenAPIObject;
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

function isMessage(message: unknown): boolean {
  const texts = Array.isArray(message) ? message : [message];
  return (
    texts.length > 0 &&
    texts.every((text) => typeof text === 'string' && text.trim() !== '')
  );
}
