import { ServerKafka } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { IntervalOffsetCommits } from './consumer/interval-offset-commits.js';
import { TransportCrashRestarts } from './consumer/restart-after-fatal-crash.js';
import { withCoalescingProducers } from './producer/coalescing-producer.js';

/** Messages of a fetched batch handled at once: a fetch may bring a thousand small requests. */
export const MESSAGES_HANDLED_AT_ONCE = 128;

/** kafkajs's own default, when the consumer's options give none. */
const DEFAULT_HEARTBEAT_INTERVAL_MS = 3000;

/**
 * How long handled offsets may wait to be committed, unless `run.autoCommitInterval` says: a few
 * commits a second instead of hundreds, and the group's lag as read from Kafka (KEDA scales the
 * classifiers on it) overstated by at most a tenth of a second of requests.
 */
export const DEFAULT_COMMIT_INTERVAL_MS = 100;

/**
 * Nest's Kafka microservice transport, its consumer started again after a crash kafkajs does
 * not recover from, and three things changed for request/reply under load:
 * - the messages of a fetched batch are handled concurrently, not one after the other, so a
 *   handler that batches work itself (the classifier's model calls) sees them together; at most
 *   MESSAGES_HANDLED_AT_ONCE of them, each such part marked consumed before the next;
 * - replies sent in the same moment share a produce request;
 * - handled offsets are committed every `run.autoCommitInterval` (DEFAULT_COMMIT_INTERVAL_MS),
 *   not after every batch (IntervalOffsetCommits), and at once when the consumer stops, closes
 *   or finds its group rebalancing.
 * The consumer heartbeats while a batch is handled, however long that takes on a busy machine:
 * a session that expired mid-batch would hand the partition to another replica, which would
 * handle the same messages again.
 * A handler that throws still stops its partition at that message, as with `eachMessage`:
 * the messages before it are marked consumed and kafkajs retries from it.
 */
export class BatchingServerKafka extends ServerKafka {
  private readonly crashRestarts = new TransportCrashRestarts(this.logger);
  private readonly commits = new IntervalOffsetCommits(
    this.options.run?.autoCommitInterval ?? DEFAULT_COMMIT_INTERVAL_MS,
    this.logger,
  );

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
      autoCommit: false,
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
    await this.commits.stop();
    await super.close();
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { messages } = payload.batch;
    for (
      let start = 0;
      start < messages.length && payload.isRunning() && !payload.isStale();
      start += MESSAGES_HANDLED_AT_ONCE
    ) {
      await this.handlePart(
        payload,
        messages.slice(start, start + MESSAGES_HANDLED_AT_ONCE),
      );
      try {
        await payload.heartbeat();
      } catch (error) {
        // A rebalance: the group still takes this generation's commits, its next owner starts there.
        await this.commits.commitNow();
        throw error;
      }
    }
  }

  private async handlePart(
    payload: EachBatchPayload,
    messages: KafkaMessage[],
  ): Promise<void> {
    const { batch } = payload;
    // kafkajs sends a heartbeat only when one is due, so asking often costs nothing. A failed one
    // (a rebalance under way) is seen again by the heartbeat after this part, which kafkajs acts on.
    const heartbeats = setInterval(
      () => void payload.heartbeat().catch(() => undefined),
      this.options.consumer?.heartbeatInterval ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
    );
    try {
      const outcomes = await Promise.allSettled(
        messages.map((message) =>
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
        payload.resolveOffset(messages[index].offset);
      }
    } finally {
      clearInterval(heartbeats);
      await this.commits.resolved(payload);
    }
  }
}
