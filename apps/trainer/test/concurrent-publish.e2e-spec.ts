import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import type { ModelDto } from '#model-registry';
import type { AppProcess } from '#testing/test-apps';
import {
  allStarted,
  isFinished,
  request,
  startTrainer,
  submitJob,
  trainerFolders,
  waitForJob,
  type TrainerFolders,
} from '#testing/trainer-test-kit';

const SMALL_JOB = { dataset: { kind: 'fmnist', trainLimit: 500 }, epochs: 1 };

describe('two trainers publishing the same model name at once', () => {
  const modelName = `twin-${randomUUID().slice(0, 8)}`;
  const folders: TrainerFolders[] = [];
  const trainers: AppProcess[] = [];

  after(async () => {
    await Promise.all(trainers.map((trainer) => trainer.stop()));
    await Promise.all(folders.map((folder) => folder.remove()));
  });

  it('get distinct versions, each with its own weights', async () => {
    await allStarted(
      [0, 1].map(async () => {
        const folder = await trainerFolders();
        folders.push(folder);
        trainers.push(await startTrainer(folder));
      }),
    );
    const jobs = await Promise.all(
      trainers.map((trainer, index) =>
        submitJob(trainer, {
          ...SMALL_JOB,
          modelName,
          seed: index + 1,
          promote: false,
        }),
      ),
    );
    const finished = await Promise.all(
      jobs.map((job, index) => waitForJob(trainers[index], job.id, isFinished)),
    );
    for (const job of finished) assert.equal(job.state, 'succeeded', job.error);
    const versions = finished.map((job) => job.result!.model.version);
    assert.equal(new Set(versions).size, 2, `both got v${versions[0]}`);

    const checksums = await Promise.all(
      finished.map(async (job) => {
        const path = `/v1/models/${modelName}/versions/${job.result!.model.version}`;
        // Read through the other trainer: both registries agree on each version's record.
        const reader = trainers[1 - finished.indexOf(job)];
        const { body } = await request<ModelDto>(reader, 'GET', path);
        assert.equal(
          body.jobId,
          job.id,
          'the version holds another job’s model',
        );
        const weights = await fetch(`${reader.url}${path}/weights.bin`);
        const digest = createHash('sha256')
          .update(Buffer.from(await weights.arrayBuffer()))
          .digest('hex');
        assert.equal(digest, body.weightsSha256);
        return digest;
      }),
    );
    assert.notEqual(checksums[0], checksums[1]);
  });
});
