import { ClientKafka, type KafkaOptions } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { removeGroup } from './consumer/remove-group.js';
import { TransportCrashRestarts } from './consumer/restart-after-fatal-crash.js';
import { InstanceReplies } from './instance-replies.js';
import {
  withCoalescingProducers,
  type CoalescingOptions,
} from './producer/coalescing-producer.js';

export type CoalescingClientKafkaOptions = Required<KafkaOptions>['options'] &
  CoalescingOptions;

/**
 * Nest's Kafka client, with its replies read by this instance alone (InstanceReplies: any
 * number of instances work on any reply topic layout), its requests sent in the same moment
 * sharing a produce request, and its reply consumer started again after a crash kafkajs does not
 * recover from. `consumer.groupId` is the prefix of the instance's own group.
 */
export class CoalescingClientKafka extends ClientKafka {
  private readonly crashRestarts = new TransportCrashRestarts(this.logger);
  private readonly coalescing: CoalescingOptions;
  private readonly replies: InstanceReplies;

  constructor(options: CoalescingClientKafkaOptions) {
    super(perInstance(options));
    const { maxQueuedSends, moreSendsComing, lingerMs } = options;
    this.coalescing = { maxQueuedSends, moreSendsComing, lingerMs };
    this.replies = new InstanceReplies(this.groupId);
  }

  /** Whether replies to requests sent to `pattern` reach this instance now. */
  receivesRepliesOf(pattern: string): boolean {
    return this.replies.receives(this.getResponsePatternName(pattern));
  }

  override async createClient<T = Kafka>(): Promise<T> {
    return withCoalescingProducers(
      await super.createClient<Kafka>(),
      this.coalescing,
    ) as T;
  }

  protected override registerConsumerEventListeners(): void {
    super.registerConsumerEventListeners();
    if (this._consumer) this.replies.watch(this._consumer);
    this.crashRestarts.watch(this._consumer, () => this.bindTopics());
  }

  protected override getReplyTopicPartition(topic: string): string {
    return String(this.replies.partitionOf(topic));
  }

  /** Leaves the group, then removes it: an instance's group has no use after it. */
  override async close(): Promise<void> {
    this.crashRestarts.stop();
    // Closing forgets the client: kept for the removal.
    const client = this.client;
    await super.close();
    if (client) await removeGroup(client, this.groupId, this.logger);
  }
}

function perInstance(
  options: CoalescingClientKafkaOptions,
): CoalescingClientKafkaOptions {
  const prefix = options.consumer?.groupId ?? 'fashion-client';
  return {
    ...options,
    postfixId: '',
    consumer: {
      ...options.consumer,
      groupId: `${prefix}-${randomUUID()}`,
    },
    run: { ...options.run, autoCommit: false },
  };
}
