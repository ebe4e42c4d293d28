import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { encodePng, type ModelRef } from '#fmnist';
import type { ModelRegistryService } from '#model-registry';
import { officialTestImages } from '#testing/fixture-images';
import { postImage, startTestApp, type AppProcess } from '#testing/test-apps';
import {
  connectRegistry,
  testModelArtifacts,
  testModelRecord,
} from '#testing/test-model';
import type { TrainingJob } from '../src/training-jobs/training-job.js';
import {
  allStarted,
  getJob,
  isFinished,
  processRunning,
  request,
  startTrainer,
  submitJob,
  trainerFolders,
  waitForJob,
  waitForProcessEnd,
  type TrainerFolders,
} from '#testing/trainer-test-kit';

describe('a trainer restart', () => {
  let folders: TrainerFolders | undefined;
  let trainer: AppProcess | undefined;

  after(async () => {
    await trainer?.stop();
    await folders?.remove();
  });

  it('marks the jobs it interrupted failed, with that reason', async () => {
    folders = await trainerFolders();
    trainer = await startTrainer(folders);
    const running = await submitJob(trainer, { epochs: 2 });
    const queued = await submitJob(trainer, { epochs: 1 });
    const { workerPid } = await waitForJob(
      trainer,
      running.id,
      (job) => job.workerPid !== undefined,
    );
    assert.equal((await getJob(trainer, queued.id)).state, 'queued');

    const exit = await trainer.stop(15_000);
    assert.notEqual(exit.signal, 'SIGKILL', 'the trainer had to be killed');
    assert.equal(processRunning(workerPid!), false, 'the worker outlived it');

    trainer = await startTrainer(folders);
    for (const id of [running.id, queued.id]) {
      const job = await getJob(trainer, id);
      assert.equal(job.state, 'failed');
      assert.equal(job.error, 'interrupted by a trainer restart');
      assert.ok(job.finishedAt);
    }
  });
});

describe('a trainer killed (SIGKILL) in the middle of a job', () => {
  const modelName = `killed-${randomUUID().slice(0, 8)}`;
  const active: ModelRef = { name: modelName, version: 1 };
  let registry: ModelRegistryService;
  let folders: TrainerFolders;
  let trainer: AppProcess;
  let classifier: AppProcess;
  let gateway: AppProcess;
  let png: Buffer;
  let job: TrainingJob;
  let workerPid: number;

  /** The model version that classified one image, through the gateway. */
  const servedModel = async (): Promise<ModelRef | undefined> => {
    const response = await postImage(gateway, png);
    const body = (await response.json()) as {
      results?: { model: ModelRef }[];
    };
    return body.results?.[0].model;
  };

  before(async () => {
    const [artifacts, [image]] = await Promise.all([
      testModelArtifacts(),
      officialTestImages(1),
    ]);
    png = await encodePng(image.pixels);
    // Version 2 is the newest, version 1 the active one: a restart must not mix them up.
    registry = await connectRegistry();
    for (const version of [1, 2]) {
      await registry.publish(
        testModelRecord({ name: modelName, version }, artifacts),
      );
    }
    await registry.promote(active);
    folders = await trainerFolders();
    await allStarted([
      startTrainer(folders).then((app) => (trainer = app)),
      startTestApp('classifier').then((app) => (classifier = app)),
      startTestApp('gateway', { CLASSIFY_TIMEOUT_MS: '5000' }).then(
        (app) => (gateway = app),
      ),
    ]);
  });

  after(async () => {
    await Promise.all([
      trainer?.stop(),
      classifier?.stop(),
      gateway?.stop(),
      registry?.onModuleDestroy(),
    ]);
    await folders?.remove();
  });

  it('starts with the classifier serving the active version', async () => {
    const deadline = Date.now() + 30_000;
    let served = await servedModel();
    while (
      JSON.stringify(served) !== JSON.stringify(active) &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      served = await servedModel();
    }
    assert.deepEqual(served, active);
  });

  it('takes the training worker down with it, the classifier serving on', async () => {
    // Promoted if it finished: it must not, and must not change what is served.
    job = await submitJob(trainer, {
      dataset: { kind: 'fmnist', trainLimit: 30_000 },
      epochs: 3,
      modelName,
      promote: true,
    });
    const running = await waitForJob(
      trainer,
      job.id,
      (current) => current.progress !== undefined || isFinished(current),
    );
    assert.equal(running.state, 'running', 'the job was not caught running');
    workerPid = running.workerPid!;

    trainer.killNow();
    assert.equal((await trainer.exited).signal, 'SIGKILL');
    // Not the trainer's doing (it is gone): the worker notices its parent's IPC channel close.
    await waitForProcessEnd(workerPid);

    assert.deepEqual(await servedModel(), active);
  });

  it('marks the job failed on restart, naming the interruption', async () => {
    trainer = await startTrainer(folders);
    const failed = await getJob(trainer, job.id);
    assert.equal(failed.state, 'failed');
    assert.match(failed.error ?? '', /^interrupted by a trainer restart$/);
    assert.ok(failed.finishedAt);
    assert.equal(failed.workerPid, undefined);
    assert.equal(failed.result, undefined);
  });

  it('finds the registry as it was: both versions, the same one active, still served', async () => {
    const { body: models } = await request<
      { name: string; version: number; active: boolean }[]
    >(trainer, 'GET', '/v1/models');
    assert.deepEqual(
      models
        .filter((model) => model.name === modelName)
        .map((model) => [model.version, model.active]),
      [
        [1, true],
        [2, false],
      ],
    );
    assert.deepEqual(
      [registry.active?.name, registry.active?.version],
      [active.name, active.version],
    );
    assert.deepEqual(await servedModel(), active);
  });
});
