import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Kafka, type Admin } from 'kafkajs';
import type { PlatformEnvironment } from '../../config/platform.environment.js';
import { appKafkaConfig } from '../kafka-client.config.js';

/** One admin connection per app, for consumer lag. */
@Injectable()
export class KafkaAdminService implements OnModuleDestroy {
  private readonly admin: Admin;
  private connection?: Promise<void>;

  constructor(config: ConfigService<PlatformEnvironment, true>) {
    this.admin = new Kafka(appKafkaConfig(config, 'admin')).admin();
  }

  /** Messages of `topic` not yet committed by `groupId`, per partition. */
  async consumerLag(
    groupId: string,
    topic: string,
  ): Promise<{ partition: number; lag: number }[]> {
    await this.connected();
    const [ends, [committed]] = await Promise.all([
      this.admin.fetchTopicOffsets(topic),
      this.admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    return ends.map(({ partition, high, low }) => {
      const offset = Number(
        committed?.partitions.find((entry) => entry.partition === partition)
          ?.offset ?? -1,
      );
      // -1: the group has committed nothing there yet; everything retained is unread.
      const from = offset < 0 ? Number(low) : offset;
      return { partition, lag: Math.max(0, Number(high) - from) };
    });
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
