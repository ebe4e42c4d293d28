import { Module } from '@nestjs/common';
import { ModelRegistryModule } from '#model-registry';
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
export class TrainingJobsModule {}
