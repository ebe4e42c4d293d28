import { Module } from '@nestjs/common';
import { ClassificationModule } from '../classification/classification.module.js';
import { ModelsModule } from '../models/models.module.js';
import { StreamClassifierService } from './stream-classifier.service.js';
import { StreamProcessorService } from './stream-processor.service.js';
import { StreamMetrics, streamMetricProviders } from './stream.metrics.js';

/** Input topic to output topic, exactly once, through the classifier's models and batches. */
@Module({
  imports: [ClassificationModule, ModelsModule],
  providers: [
    StreamClassifierService,
    StreamProcessorService,
    StreamMetrics,
    ...streamMetricProviders,
  ],
})
export class StreamingModule {}
