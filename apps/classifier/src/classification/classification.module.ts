import { Module } from '@nestjs/common';
import { KafkaAdminModule } from '#platform';
import { ModelsModule } from '../models/models.module.js';
import { RolloutsModule } from '../rollouts/rollouts.module.js';
import { ConsumerLagMetric } from './consumer-lag.metric.js';
import { ClassificationController } from './classification.controller.js';
import { classifierMetricProviders } from './classifier.metrics.js';
import { DeadLetterService } from './dead-letter.service.js';
import { InferenceService } from './inference.service.js';

@Module({
  imports: [ModelsModule, KafkaAdminModule, RolloutsModule],
  controllers: [ClassificationController],
  providers: [
    ConsumerLagMetric,
    InferenceService,
    DeadLetterService,
    ...classifierMetricProviders,
  ],
  // One model queue per process: the streaming path's images join the same micro-batches.
  exports: [InferenceService],
})
export class ClassificationModule {}
