import { ClientKafka } from '@nestjs/microservices';
import type { Kafka } from 'kafkajs';
import { TransportCrashRestarts } from './consumer/restart-after-fatal-crash.js';
import { withCoalescingProducers } from './producer/coalescing-producer.js';

/**
 * Nest's Kafka client, its requests sent in the same moment sharing a produce request, and its
 * reply consumer started again after a crash kafkajs does not recover from.
 */
export class CoalescingClientKafka extends ClientKafka {
  private readonly crashRestarts = new TransportCrashRestarts(this.logger);

  override async createClient<T = Kafka>(): Promise<T> {
    return withCoalescingProducers(await super.createClient<Kafka>()) as T;
  }

  protected override registerConsumerEventListeners(): void {
    super.registerConsumerEventListeners();
    this.crashRestarts.watch(this._consumer, () => this.bindTopics());
  }

  override async close(): Promise<void> {
    this.crashRestarts.stop();
    await super.close();
  }
}
