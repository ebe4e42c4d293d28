import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { AppProcess } from '../../../tools/platform/app-process.js';
import {
  getJob,
  processExists,
  startTrainer,
  submitJob,
  trainerFolders,
  waitForJob,
  type TrainerFolders,
} from './trainer-test-kit.js';

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
    assert.equal(processExists(workerPid!), false, 'the worker outlived it');

    trainer = await startTrainer(folders);
    for (const id of [running.id, queued.id]) {
      const job = await getJob(trainer, id);
      assert.equal(job.state, 'failed');
      assert.equal(job.error, 'interrupted by a trainer restart');
      assert.ok(job.finishedAt);
    }
  });
});
