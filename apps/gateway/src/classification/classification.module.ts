import {
  Module,
  RequestMethod,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ClientsModule } from '@nestjs/microservices';
import { MulterModule } from '@nestjs/platform-express';
import express from 'express';
import kafkajs from 'kafkajs';
import {
  CoalescingClientKafka,
  appKafkaConfig,
  KafkaLivenessModule,
  type CoalescingClientKafkaOptions,
} from '#platform';
import { AdmissionModule } from '../admission/admission.module.js';
import type { GatewayEnvironment } from '../config/gateway.environment.js';
import { ImagePreprocessorService } from '../preprocessing/image-preprocessor.service.js';
import { PreprocessingModule } from '../preprocessing/preprocessing.module.js';
import { ClassificationController } from './classification.controller.js';
import { gatewayMetricProviders } from './classification.metrics.js';
import { ClassificationService } from './classification.service.js';
import { CLASSIFIER_CLIENT } from './classifier-client.js';
import { ClassifierRequestsService } from './resend/classifier-requests.service.js';

const { Partitioners } = kafkajs;

@Module({
  imports: [
    AdmissionModule,
    PreprocessingModule,
    KafkaLivenessModule,
    ClientsModule.registerAsync([
      {
        name: CLASSIFIER_CLIENT,
        imports: [PreprocessingModule],
        inject: [ConfigService, ImagePreprocessorService],
        useFactory: (
          config: ConfigService<GatewayEnvironment, true>,
          preprocessor: ImagePreprocessorService,
        ) => ({
          customClass: CoalescingClientKafka,
          options: {
            client: appKafkaConfig(config, 'gateway'),
            // The prefix of each gateway's own reply group (fashion-gateway-<uuid>): any number of
            // gateways receive their replies, whatever the reply topic's partitions.
            consumer: {
              groupId: 'fashion-gateway',
              sessionTimeout: 10_000,
              heartbeatInterval: 1_000,
            },
            producer: { createPartitioner: Partitioners.DefaultPartitioner },
            maxQueuedSends: config.get('MAX_QUEUED_KAFKA_SENDS', {
              infer: true,
            }),
            // Each upload's decode ends at its own moment: without waiting for the others, every
            // request under load would be a produce request, a fetch and a model call of its own.
            moreSendsComing: () => preprocessor.decoding,
            lingerMs: config.get('KAFKA_LINGER_MS', { infer: true }),
          } satisfies CoalescingClientKafkaOptions,
        }),
      },
    ]),
    MulterModule.registerAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<GatewayEnvironment, true>) => ({
        limits: {
          fileSize: config.get('MAX_UPLOAD_BYTES', { infer: true }),
          files: config.get('MAX_IMAGES_PER_UPLOAD', { infer: true }),
          fields: 16,
        },
      }),
    }),
  ],
  controllers: [ClassificationController],
  providers: [
    ClassificationService,
    ClassifierRequestsService,
    ...gatewayMetricProviders,
  ],
  exports: [ClassificationService, ClientsModule],
})
export class ClassificationModule implements NestModule {
  constructor(
    private readonly config: ConfigService<GatewayEnvironment, true>,
  ) {}

  /**
   * The raw image body (`curl --data-binary @shirt.png -H 'Content-Type: image/png'`), read only
   * on this route, after admission (AdmissionScreen, in front of the application); multipart
   * bodies are read by multer in the controller's interceptors.
   */
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(
        express.raw({
          type: 'image/*',
          limit: this.config.get('MAX_UPLOAD_BYTES', { infer: true }),
        }),
      )
      .forRoutes({ path: 'v1/classifications', method: RequestMethod.POST });
  }
}
