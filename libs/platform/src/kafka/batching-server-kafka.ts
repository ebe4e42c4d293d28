import { ServerKafka } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { TransportCrashRestarts } from './consumer/restart-after-fatal-crash.js';
import { withCoalescingProducers } from './producer/coalescing-producer.js';

/**
 * Nest's Kafka microservice transport, its consumer started again after a crash kafkajs does
 * not recover from, and two things changed for request/reply under load:
 * - the messages of a fetched batch are handled concurrently, not one after the other, so a
 *   handler that batches work itself (the classifier's model calls) sees them together;
 * - replies sent in the same moment share a produce request.
 * A handler that throws still stops its partition at that message, as with `eachMessage`:
 * the messages before it are marked consumed and kafkajs retries from it.
 */
export class BatchingServerKafka extends ServerKafka {
  private readonly crashRestarts = new TransportCrashRestarts(this.logger);

  override async createClient<T = Kafka>(): Promise<T> {
    return withCoalescingProducers(await super.createClient<Kafka>()) as T;
  }

  override async bindEvents(consumer: Consumer): Promise<void> {
    const topics = [...this.messageHandlers.keys()];
    if (topics.length > 0) {
      await consumer.subscribe({ ...this.options.subscribe, topics });
    }
    await consumer.run({
      ...this.options.run,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  protected override registerConsumerEventListeners(): void {
    super.registerConsumerEventListeners();
    this.crashRestarts.watch(this.consumer, (consumer) =>
      this.bindEvents(consumer),
    );
  }

  override async close(): Promise<void> {
    this.crashRestarts.stop();
    await super.close();
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const outcomes = await Promise.allSettled(
      batch.messages.map((message) =>
        this.handleMessage({
          topic: batch.topic,
          partition: batch.partition,
          message,
          heartbeat: () => payload.heartbeat(),
          pause: () => payload.pause(),
        }),
      ),
    );
    for (const [index, outcome] of outcomes.entries()) {
      if (outcome.status === 'rejected') throw outcome.reason;
      payload.resolveOffset(batch.messages[index].offset);
    }
    await payload.heartbeat();
  }
}
