import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Kafka, type Admin } from 'kafkajs';
import { TOPIC_SPECS } from '#fmnist';
import type { PlatformEnvironment } from '../config/kafka.environment.js';
import { ensureTopics, type TopicsReport } from './ensure-topics.js';
import { kafkaClientConfig } from './kafka-client.config.js';

/** One admin connection per app, for readiness checks and topic set-up. */
@Injectable()
export class KafkaAdminService implements OnModuleDestroy {
  private readonly admin: Admin;
  private connection?: Promise<void>;

  constructor(config: ConfigService<PlatformEnvironment, true>) {
    const prefix = config.get('KAFKA_CLIENT_ID_PREFIX', { infer: true });
    const kafka = new Kafka(
      kafkaClientConfig(
        config.get('KAFKA_BROKERS', { infer: true }),
        `${prefix}-admin`,
      ),
    );
    this.admin = kafka.admin();
  }

  /** Resolves with the number of live brokers, or rejects when the cluster does not answer in time. */
  async ping(timeoutMs = 2000): Promise<number> {
    const cluster = await withTimeout(
      this.connected().then(() => this.admin.describeCluster()),
      timeoutMs,
    );
    return cluster.brokers.length;
  }

  async ensureTopics(): Promise<TopicsReport> {
    await this.connected();
    return ensureTopics(this.admin, TOPIC_SPECS);
  }

  async onModuleDestroy(): Promise<void> {
    if (this.connection) {
      await this.admin.disconnect();
    }
  }

  private connected(): Promise<void> {
    this.connection ??= this.admin.connect().catch((error: unknown) => {
      this.connection = undefined;
      throw error;
    });
    return this.connection;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Kafka did not answer within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
