import {
  Module,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ModelRegistryModule } from '#model-registry';
import { limitEventStreams } from '#platform';
import type { TrainerEnvironment } from '../config/trainer.environment.js';
import { ModelsModule } from '../models/models.module.js';
import { DefaultModel } from './default-model.js';
import { JobStatesMetric } from './job-states.metric.js';
import { JobStore } from './job-store.js';
import { TrainingJobsController } from './training-jobs.controller.js';
import { TrainingJobsService } from './training-jobs.service.js';

@Module({
  imports: [ModelRegistryModule, ModelsModule],
  controllers: [TrainingJobsController],
  providers: [TrainingJobsService, JobStore, DefaultModel, JobStatesMetric],
})
export class TrainingJobsModule implements NestModule {
  constructor(
    private readonly config: ConfigService<TrainerEnvironment, true>,
  ) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(limitEventStreams(this.config))
      .forRoutes('v1/training-jobs/:id/events');
  }
}
