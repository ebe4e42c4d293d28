import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { ClientsModule, type KafkaOptions } from '@nestjs/microservices';
import { MulterModule } from '@nestjs/platform-express';
import kafkajs from 'kafkajs';
import {
  CoalescingClientKafka,
  KafkaAdminModule,
  kafkaClientConfig,
  kafkaConnection,
} from '#platform';
import type { GatewayEnvironment } from '../config/gateway.environment.js';
import { ClassificationController } from './classification.controller.js';
import { gatewayMetricProviders } from './classification.metrics.js';
import { ClassificationService } from './classification.service.js';
import { CLASSIFIER_CLIENT } from './classifier-client.js';
import { RetryAfterFilter } from './retry-after.filter.js';

const { Partitioners } = kafkajs;

@Module({
  imports: [
    KafkaAdminModule,
    ClientsModule.registerAsync([
      {
        name: CLASSIFIER_CLIENT,
        inject: [ConfigService],
        useFactory: (config: ConfigService<GatewayEnvironment, true>) => ({
          customClass: CoalescingClientKafka,
          options: {
            client: kafkaClientConfig(
              kafkaConnection(config),
              `${config.get('KAFKA_CLIENT_ID_PREFIX', { infer: true })}-gateway`,
            ),
            // Gateway replicas share the group: each reads replies from its own reply partitions.
            consumer: {
              groupId: 'fashion-gateway',
              sessionTimeout: 10_000,
              heartbeatInterval: 1_000,
            },
            producer: { createPartitioner: Partitioners.DefaultPartitioner },
          } satisfies KafkaOptions['options'],
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
    ...gatewayMetricProviders,
    { provide: APP_FILTER, useClass: RetryAfterFilter },
  ],
})
export class ClassificationModule {}
