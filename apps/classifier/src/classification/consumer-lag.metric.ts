import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Gauge, register } from 'prom-client';
import { Topics } from '#fmnist';
import { KafkaAdminService, withTimeout } from '#platform';
import type { ClassifierEnvironment } from '../config/classifier.environment.js';

/**
 * `kafka_consumer_lag`: messages waiting for the classifiers' groups, per partition: requests in
 * `fashion-images` for the classifier group and, with the streaming path on, images in its input
 * topic for the streaming group. Read from Kafka when Prometheus scrapes, so it is each group's
 * lag, whichever replica is asked.
 */
@Injectable()
export class ConsumerLagMetric implements OnModuleInit {
  private readonly logger = new Logger(ConsumerLagMetric.name);
  private readonly groups: { groupId: string; topic: string }[];

  constructor(
    private readonly admin: KafkaAdminService,
    config: ConfigService<ClassifierEnvironment, true>,
  ) {
    this.groups = [
      {
        groupId: config.get('CLASSIFIER_GROUP_ID', { infer: true }),
        topic: Topics.images,
      },
    ];
    if (config.get('STREAM_ENABLED', { infer: true })) {
      this.groups.push({
        groupId: config.get('STREAM_GROUP_ID', { infer: true }),
        topic: config.get('STREAM_INPUT_TOPIC', { infer: true }),
      });
    }
  }

  onModuleInit(): void {
    const { admin, groups, logger } = this;
    new Gauge({
      name: 'kafka_consumer_lag',
      help: 'Messages of the topic not yet consumed by the group, per partition (the classifier group on fashion-images, the streaming group on its input)',
      labelNames: ['topic', 'partition', 'group'],
      registers: [register],
      async collect() {
        await Promise.all(
          groups.map(async ({ groupId, topic }) => {
            try {
              const lags = await withTimeout(
                admin.consumerLag(groupId, topic),
                2000,
                'Kafka did not answer the lag query in time',
              );
              for (const { partition, lag } of lags) {
                this.set({ topic, partition, group: groupId }, lag);
              }
            } catch (error) {
              // A scrape must not fail because Kafka is slow; the last values stay.
              logger.warn(
                `consumer lag of ${groupId} on ${topic} unavailable: ${String(error)}`,
              );
            }
          }),
        );
      },
    });
  }
}
