import { Module } from '@nestjs/common';
import { PlatformModule } from '#platform';
import { ClassificationModule } from './classification/classification.module.js';
import { ClassifierEnvironment } from './config/classifier.environment.js';
import { ModelHealthIndicator } from './models/model.health.js';
import { ModelsModule } from './models/models.module.js';
import { StreamingModule } from './streaming/streaming.module.js';

@Module({
  imports: [
    PlatformModule.forApp({
      app: 'classifier',
      environment: ClassifierEnvironment,
      health: { imports: [ModelsModule], indicators: [ModelHealthIndicator] },
    }),
    ClassificationModule,
    StreamingModule,
  ],
})
export class ClassifierModule {}
