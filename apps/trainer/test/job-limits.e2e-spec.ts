import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AppProcess } from '#testing/test-apps';
import type { TrainingJob } from '../src/training-jobs/training-job.js';
import {
  isFinished,
  processRunning,
  request,
  startTrainer,
  submitJob,
  trainerFolders,
  waitForJob,
  type TrainerFolders,
} from '#testing/trainer-test-kit';

const DAY_MS = 24 * 3600 * 1000;
const TIME_LIMIT_S = 4;
/** Would hold the only worker for many minutes. */
const LONG_JOB = { dataset: { kind: 'fmnist', trainLimit: 500 }, epochs: 50 };

/** A finished job's record as an earlier trainer wrote it, `daysAgo` old. */
function finishedRecord(id: string, daysAgo: number): TrainingJob {
  const at = new Date(Date.now() - daysAgo * DAY_MS).toISOString();
  return {
    id,
    state: 'succeeded',
    origin: 'api',
    parameters: {
      dataset: { kind: 'fmnist' },
      architecture: 'default-cnn',
      epochs: 1,
      batchSize: 128,
      learningRate: 0.001,
      validationSplit: 0.1,
      labelSmoothing: 0,
      seed: 1,
      modelName: 'fashion-cnn',
      promote: false,
    },
    createdAt: at,
    startedAt: at,
    finishedAt: at,
    epochs: [],
  };
}

describe('limits on training jobs: time and retention', () => {
  let folders: TrainerFolders;
  let trainer: AppProcess;

  const listedIds = async () =>
    (
      await request<TrainingJob[]>(trainer, 'GET', '/v1/training-jobs')
    ).body.map((job) => job.id);

  before(async () => {
    folders = await trainerFolders();
    await mkdir(folders.dataDir, { recursive: true });
    await writeFile(
      join(folders.dataDir, 'jobs.json'),
      JSON.stringify([
        finishedRecord('stale', 40),
        finishedRecord('recent', 1),
      ]),
    );
    trainer = await startTrainer(folders, {
      TRAINER_JOB_TIME_LIMIT_S: String(TIME_LIMIT_S),
      TRAINER_KEEP_FINISHED_JOBS: '2',
      TRAINER_KEEP_FINISHED_DAYS: '30',
    });
  });

  after(async () => {
    await trainer?.stop();
    await folders?.remove();
  });

  it('forgets, at start, a finished job older than TRAINER_KEEP_FINISHED_DAYS', async () => {
    assert.deepEqual(await listedIds(), ['recent']);
  });

  it('fails a job that runs past TRAINER_JOB_TIME_LIMIT_S, saying so, its worker killed', async () => {
    const submitted = await submitJob(trainer, LONG_JOB);
    const { workerPid } = await waitForJob(
      trainer,
      submitted.id,
      (job) => job.workerPid !== undefined,
    );
    const finished = await waitForJob(
      trainer,
      submitted.id,
      isFinished,
      TIME_LIMIT_S * 1000 + 15_000,
    );
    assert.equal(finished.state, 'failed');
    assert.equal(
      finished.error,
      `the job ran out of time: it may train for ${TIME_LIMIT_S} s at most (TRAINER_JOB_TIME_LIMIT_S)`,
    );
    assert.equal(processRunning(workerPid!), false, 'the worker survived');
  });

  it('keeps only the newest TRAINER_KEEP_FINISHED_JOBS finished jobs, and every unfinished one', async () => {
    const [timedOut] = await listedIds();
    const running = await submitJob(trainer, LONG_JOB);
    await waitForJob(trainer, running.id, (job) => job.state === 'running');
    const queued = await submitJob(trainer, LONG_JOB);
    await request(trainer, 'POST', `/v1/training-jobs/${queued.id}/cancel`);
    assert.deepEqual(await listedIds(), [queued.id, running.id, timedOut]);
    await request(trainer, 'POST', `/v1/training-jobs/${running.id}/cancel`);
    assert.deepEqual(await listedIds(), [queued.id, running.id]);
  });
});
