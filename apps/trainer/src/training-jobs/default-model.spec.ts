import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigService } from '@nestjs/config';
import type { ModelRegistryService } from '#model-registry';
import type { TrainerEnvironment } from '../config/trainer.environment.js';
import { DefaultModel } from './default-model.js';
import type { CreateTrainingJobDto } from './dto/create-training-job.dto.js';
import type { TrainingJobsService } from './training-jobs.service.js';

async function bootstrap(options: { enabled: boolean; active: boolean }) {
  const submitted: [CreateTrainingJobDto, string][] = [];
  const jobs = {
    submit: (request: CreateTrainingJobDto, origin: string) => {
      submitted.push([request, origin]);
      return Promise.resolve({ id: 'job-1' });
    },
  } as unknown as TrainingJobsService;
  const registry = {
    active: options.active
      ? { name: 'm', version: 1, promotedAt: new Date().toISOString() }
      : undefined,
  } as ModelRegistryService;
  const config = new ConfigService<TrainerEnvironment, true>({
    TRAIN_DEFAULT_MODEL_ON_START: options.enabled,
  });
  await new DefaultModel(config, registry, jobs).onApplicationBootstrap();
  return submitted;
}

describe('DefaultModel', () => {
  it('queues a default job that promotes when no model is active', async () => {
    assert.deepEqual(await bootstrap({ enabled: true, active: false }), [
      [{ promote: true }, 'default-model'],
    ]);
  });

  it('trains nothing when a model is active or when switched off', async () => {
    assert.deepEqual(await bootstrap({ enabled: true, active: true }), []);
    assert.deepEqual(await bootstrap({ enabled: false, active: false }), []);
  });
});
