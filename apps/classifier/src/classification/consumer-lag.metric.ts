import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Gauge, register } from 'prom-client';
import { Topics } from '#fmnist';
import { KafkaAdminService, withTimeout } from '#platform';
import type { ClassifierEnvironment } from '../config/classifier.environment.js';

/**
 * `kafka_consumer_lag`: requests waiting in `fashion-images` for the classifier group, per
 * partition, read from Kafka when Prometheus scrapes, so it is the group's lag, whichever
 * replica is asked.
 */
@Injectable()
export class ConsumerLagMetric implements OnModuleInit {
  private readonly logger = new Logger(ConsumerLagMetric.name);
  private readonly groupId: string;

  constructor(
    private readonly admin: KafkaAdminService,
    config: ConfigService<ClassifierEnvironment, true>,
  ) {
    this.groupId = config.get('CLASSIFIER_GROUP_ID', { infer: true });
  }

  onModuleInit(): void {
    const { admin, groupId, logger } = this;
    new Gauge({
      name: 'kafka_consumer_lag',
      help: 'Messages of the topic not yet consumed by the classifier group, per partition',
      labelNames: ['topic', 'partition', 'group'],
      registers: [register],
      async collect() {
        try {
          const lags = await withTimeout(
            admin.consumerLag(groupId, Topics.images),
            2000,
            'Kafka did not answer the lag query in time',
          );
          for (const { partition, lag } of lags) {
            this.set({ topic: Topics.images, partition, group: groupId }, lag);
          }
        } catch (error) {
          // A scrape must not fail because Kafka is slow; the last values stay.
          logger.warn(`consumer lag unavailable: ${String(error)}`);
        }
      },
    });
  }
}
