import type { KafkaOptions } from '@nestjs/microservices';
import type { Kafka } from 'kafkajs';
import {
  withCoalescingProducers,
  type CoalescingOptions,
} from './coalescing-producer.js';
import { RestartingClientKafka } from './restarting-client-kafka.js';

export type CoalescingClientKafkaOptions = Required<KafkaOptions>['options'] &
  CoalescingOptions;

/** The restarting Kafka client, its requests sent in the same moment sharing a produce request. */
export class CoalescingClientKafka extends RestartingClientKafka {
  private readonly coalescing: CoalescingOptions;

  constructor(options: CoalescingClientKafkaOptions) {
    super(options);
    this.coalescing = { maxQueuedSends: options.maxQueuedSends };
  }

  override async createClient<T = Kafka>(): Promise<T> {
    return withCoalescingProducers(
      await super.createClient<Kafka>(),
      this.coalescing,
    ) as T;
  }
}
