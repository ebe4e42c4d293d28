import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { setUpHttpApp } from '#platform';
import { API_KEY_SECURITY_SCHEMES } from './api-key/api-key.openapi.js';
import type { TrainerEnvironment } from './config/trainer.environment.js';
import { documentTrainingLimits } from './training-jobs/training-limits.openapi.js';
import { TrainerModule } from './trainer.module.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(TrainerModule, { bufferLogs: true });
  const config = app.get(ConfigService<TrainerEnvironment, true>);
  setUpHttpApp(app, {
    title: 'Fashion trainer',
    description:
      'Training jobs on Fashion-MNIST or image folders; publishes versioned models.',
    version: '1',
    // Without a key none is asked for: the description must not offer one.
    securitySchemes:
      config.get('TRAINER_API_KEY', { infer: true }) === null
        ? {}
        : API_KEY_SECURITY_SCHEMES,
    adjustDocument: (document) =>
      documentTrainingLimits(document, {
        maxEpochs: config.get('TRAINER_MAX_EPOCHS', { infer: true }),
      }),
  });
  await app.listen(
    config.get('TRAINER_PORT', { infer: true }),
    config.get('HTTP_HOST', { infer: true }),
  );
}

void bootstrap();
