import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AppProcess } from '#testing/test-apps';
import {
  isFinished,
  request,
  startTrainer,
  submitJob,
  trainerFolders,
  waitForJob,
  type TrainerFolders,
} from '#testing/trainer-test-kit';

interface Architecture {
  name: string;
  description: string;
  training: Record<string, number | string>;
}

describe('architectures and their training defaults', () => {
  let folders: TrainerFolders;
  let trainer: AppProcess;

  before(async () => {
    folders = await trainerFolders();
    trainer = await startTrainer(folders);
  });

  after(async () => {
    await trainer?.stop();
    await folders?.remove();
  });

  it('lists what a job can build, the default first, each with how it trains', async () => {
    const { status, body } = await request<Architecture[]>(
      trainer,
      'GET',
      '/v1/architectures',
    );
    assert.equal(status, 200);
    assert.deepEqual(
      body.map(({ name }) => name),
      ['default-cnn', 'seed-cnn', 'prototype-cnn'],
    );
    assert.deepEqual(body[1].training, {
      epochs: 2,
      batchSize: 20,
      learningRate: 0.001,
      validationSplit: 0.1,
      learningRateSchedule: 'constant',
      labelSmoothing: 0,
    });
    assert.match(body[1].description, /model_training\.py/);
  });

  it("trains a job with its architecture's defaults where the request is silent", async () => {
    const { body: architectures } = await request<Architecture[]>(
      trainer,
      'GET',
      '/v1/architectures',
    );
    for (const architecture of ['seed-cnn', 'default-cnn']) {
      const job = await submitJob(trainer, {
        architecture,
        dataset: { kind: 'fmnist', trainLimit: 200 },
        epochs: 1,
      });
      const { training } = architectures.find(
        ({ name }) => name === architecture,
      )!;
      assert.deepEqual(
        {
          batchSize: job.parameters.batchSize,
          learningRate: job.parameters.learningRate,
          validationSplit: job.parameters.validationSplit,
          labelSmoothing: job.parameters.labelSmoothing,
        },
        {
          batchSize: training.batchSize,
          learningRate: training.learningRate,
          validationSplit: training.validationSplit,
          labelSmoothing: training.labelSmoothing,
        },
      );
      const done = await waitForJob(trainer, job.id, isFinished);
      assert.equal(done.state, 'succeeded', done.error);
    }
  });
});
