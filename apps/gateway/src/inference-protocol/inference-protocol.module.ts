import { Module } from '@nestjs/common';
import { ModelRegistryModule } from '#model-registry';
import { KafkaLivenessModule } from '#platform';
import { AdmissionModule } from '../admission/admission.module.js';
import { ClassificationModule } from '../classification/classification.module.js';
import { InferenceBodyMiddleware } from './inference-body.middleware.js';
import { InferenceModelsController } from './inference-models.controller.js';
import { InferenceProtocolService } from './inference-protocol.service.js';
import { InferenceServerController } from './inference-server.controller.js';

/**
 * The Open Inference Protocol (KServe v2, as Triton speaks it) on the gateway, over the same
 * Kafka path, admission and preprocessing as /v1/classifications. Its body reader is bound ahead
 * of the app's body parsers, in main.ts.
 */
@Module({
  imports: [
    AdmissionModule,
    ClassificationModule,
    KafkaLivenessModule,
    ModelRegistryModule,
  ],
  controllers: [InferenceServerController, InferenceModelsController],
  providers: [InferenceProtocolService, InferenceBodyMiddleware],
  exports: [InferenceBodyMiddleware],
})
export class InferenceProtocolModule {}
