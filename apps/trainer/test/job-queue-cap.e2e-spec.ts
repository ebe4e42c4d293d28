import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AppProcess } from '#testing/test-apps';
import type { TrainingJob } from '../src/training-jobs/training-job.js';
import {
  request,
  startTrainer,
  submitJob,
  trainerFolders,
  waitForJob,
  type TrainerFolders,
} from '#testing/trainer-test-kit';

/** Runs long enough to hold the only worker through the test; cancelled after. */
const LONG_JOB = { dataset: { kind: 'fmnist', trainLimit: 500 }, epochs: 50 };

describe('the queue of training jobs (TRAINER_MAX_QUEUED_JOBS)', () => {
  let folders: TrainerFolders;
  let trainer: AppProcess;
  const jobs: TrainingJob[] = [];

  before(async () => {
    folders = await trainerFolders();
    trainer = await startTrainer(folders, { TRAINER_MAX_QUEUED_JOBS: '1' });
  });

  after(async () => {
    for (const job of jobs) {
      await request(trainer, 'POST', `/v1/training-jobs/${job.id}/cancel`);
    }
    await trainer?.stop();
    await folders?.remove();
  });

  it('refuses a job with a 503 saying why once as many are waiting as allowed', async () => {
    jobs.push(await submitJob(trainer, LONG_JOB));
    await waitForJob(trainer, jobs[0].id, (job) => job.state === 'running');
    jobs.push(await submitJob(trainer, LONG_JOB));
    const refused = await request<{ message: string }>(
      trainer,
      'POST',
      '/v1/training-jobs',
      LONG_JOB,
    );
    assert.equal(refused.status, 503);
    assert.match(
      refused.body.message,
      /already has 1 jobs waiting \(TRAINER_MAX_QUEUED_JOBS\): retry once some have run, or cancel one/,
    );
    const listed = await request<TrainingJob[]>(
      trainer,
      'GET',
      '/v1/training-jobs',
    );
    assert.equal(listed.body.length, 2, 'the refused job was kept');
  });
});
