import type { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import kafkajs, {
  type Admin,
  type CompressionTypes,
  type Consumer,
  type ConsumerConfig,
  type Kafka,
  type Message,
  type Producer,
} from 'kafkajs';
import { filter, firstValueFrom, ReplaySubject, Subject } from 'rxjs';
import { withTimeout } from '../../async/with-timeout.js';
import { removeGroup } from '../consumer/remove-group.js';
import { restartAfterFatalCrash } from '../consumer/restart-after-fatal-crash.js';
import { partitionBounds } from '../range/topic-range-reader.js';

/** One record as the follower hands it over; `value: null` is a tombstone. */
export interface FollowedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | undefined;
  readonly value: Buffer | null;
}

export interface CompactedTopicFollowerOptions<Applied> {
  /** The consumer group is named `<groupPrefix>-<random>`: this process's alone. */
  readonly groupPrefix: string;
  readonly topics: readonly string[];
  /** The topics `start` reads to their ends before it resolves; all of `topics` unless given. */
  readonly catchUpOn?: readonly string[];
  /**
   * Takes in one record: each once, in its partition's order. What it returns, `sendAndSee`
   * hands back for its record. It should not throw: a throw crashes the consumer, which is
   * started again and hands the same record again (nothing is ever skipped silently).
   */
  readonly apply: (record: FollowedRecord) => Applied;
  readonly consumer?: Omit<ConsumerConfig, 'groupId'>;
}

interface AppliedRecord<Applied> {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly result: Applied;
}

const { CompressionTypes: Compression, Partitioners } = kafkajs;
const CATCH_UP_TIMEOUT_MS = 30_000;
const ECHO_TIMEOUT_MS = 15_000;
/** A topic created a moment ago may have no leader yet ("not the leader"): ask again. */
const LEADER_ATTEMPTS = 10;
const LEADER_RETRY_MS = 500;

/** A record of JSON; `value: null` makes a tombstone (compaction removes the key). */
export function jsonMessage(key: string, value: unknown): Message {
  return { key, value: value === null ? null : JSON.stringify(value) };
}

/**
 * A process's view of compacted topics: reads them from the start, resolves `start` once it
 * has read up to where they ended when it began, then follows them, and writes records that it
 * reads back (`sendAndSee`, for callers that act on their own writes). kafkajs reads only in a
 * consumer group: this one's is this process's alone, never commits an offset (so every run of
 * the consumer reads from the start: records applied before are passed over), is restarted
 * after a crash kafkajs does not recover from, and is removed by `stop` (a process killed
 * leaves an empty group without offsets, which the broker removes by itself).
 */
export class CompactedTopicFollower<Applied = void> {
  readonly groupId: string;
  private consumer?: Consumer;
  /** Connecting or connected: concurrent sends share one producer. */
  private producer?: Promise<Producer>;
  private stopRestarting?: () => void;
  /** The offset applied last per `topic:partition`: a consumer run again re-reads from the start. */
  private readonly applied = new Map<string, bigint>();
  private readonly appliedRecords = new Subject<AppliedRecord<Applied>>();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: CompactedTopicFollowerOptions<Applied>,
    private readonly logger: Logger,
  ) {
    this.groupId = `${options.groupPrefix}-${randomUUID()}`;
  }

  /** Reads the topics from the start; resolves once the records written before it are applied. */
  async start(): Promise<void> {
    const catchUpOn = this.options.catchUpOn ?? this.options.topics;
    const pending = await this.endOffsets(catchUpOn);
    let caughtUp!: () => void;
    const isCaughtUp = new Promise<void>((resolve) => (caughtUp = resolve));
    if (pending.size === 0) caughtUp();

    const consumer = (this.consumer = this.kafka.consumer({
      ...this.options.consumer,
      groupId: this.groupId,
    }));
    // After every batch, also one that compaction or control records left empty for the handler.
    consumer.on(
      consumer.events.END_BATCH_PROCESS,
      ({ payload: { topic, partition, lastOffset } }) => {
        const where = `${topic}:${partition}`;
        if (BigInt(lastOffset) + 1n < (pending.get(where) ?? 0n)) return;
        if (pending.delete(where) && pending.size === 0) caughtUp();
      },
    );
    await consumer.connect();
    await consumer.subscribe({
      topics: [...this.options.topics],
      fromBeginning: true,
    });
    const run = () =>
      consumer.run({
        autoCommit: false,
        eachMessage: ({ topic, partition, message }) => {
          const where = `${topic}:${partition}`;
          const offset = BigInt(message.offset);
          if (offset <= (this.applied.get(where) ?? -1n)) {
            return Promise.resolve();
          }
          const result = this.options.apply({
            topic,
            partition,
            offset: message.offset,
            key: message.key?.toString(),
            value: message.value,
          });
          this.applied.set(where, offset);
          this.appliedRecords.next({ topic, partition, offset, result });
          return Promise.resolve();
        },
      });
    this.stopRestarting = restartAfterFatalCrash(consumer, run, this.logger);
    await run();
    await withTimeout(
      isCaughtUp,
      CATCH_UP_TIMEOUT_MS,
      `reading ${catchUpOn.join(', ')} took longer than ${CATCH_UP_TIMEOUT_MS} ms`,
    );
  }

  /** Leaves and removes the group, and closes the producer. */
  async stop(): Promise<void> {
    this.stopRestarting?.();
    const { consumer, producer } = this;
    this.consumer = this.producer = undefined;
    await Promise.all([
      consumer
        ?.disconnect()
        .then(() => removeGroup(this.kafka, this.groupId, this.logger)),
      producer?.then(
        (producer) => producer.disconnect(),
        () => undefined,
      ),
    ]);
  }

  /** Writes records to any topic, followed or not; where each partition's first one went. */
  async send(
    topic: string,
    messages: Message[],
    compression: CompressionTypes = Compression.None,
  ): Promise<{ partition: number; baseOffset: string }[]> {
    this.producer ??= this.connectProducer();
    const written = await (
      await this.producer
    ).send({ topic, compression, messages });
    return written.map(({ partition, baseOffset }) => ({
      partition,
      baseOffset: baseOffset ?? '0',
    }));
  }

  /**
   * Writes one record to a followed topic and resolves once this follower has applied it, with
   * what `apply` returned for it (`undefined` if compaction removed it before it was read).
   */
  async sendAndSee(
    topic: string,
    message: Message,
    compression?: CompressionTypes,
  ): Promise<Applied | undefined> {
    // Kept from before the write: the record may be read before the write is acknowledged.
    const seen = new ReplaySubject<AppliedRecord<Applied>>();
    const watching = this.appliedRecords
      .pipe(filter((record) => record.topic === topic))
      .subscribe(seen);
    try {
      const [{ partition, baseOffset }] = await this.send(
        topic,
        [message],
        compression,
      );
      const offset = BigInt(baseOffset);
      const echo = await withTimeout(
        firstValueFrom(
          seen.pipe(
            filter(
              (record) =>
                record.partition === partition && record.offset >= offset,
            ),
          ),
        ),
        ECHO_TIMEOUT_MS,
        `${topic}[${partition}]@${offset} (key ${String(message.key)}) was not read back within ${ECHO_TIMEOUT_MS} ms`,
      );
      return echo.offset === offset ? echo.result : undefined;
    } finally {
      watching.unsubscribe();
    }
  }

  private async connectProducer(): Promise<Producer> {
    const producer = this.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    try {
      await producer.connect();
      return producer;
    } catch (error) {
      // The next send tries again.
      this.producer = undefined;
      throw error;
    }
  }

  /** Per `topic:partition` holding any record, the offset the next record will take. */
  private async endOffsets(
    topics: readonly string[],
  ): Promise<Map<string, bigint>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const ends = new Map<string, bigint>();
      for (const topic of topics) {
        for (const { partition, low, high } of await this.bounds(
          admin,
          topic,
        )) {
          if (high > low) ends.set(`${topic}:${partition}`, BigInt(high));
        }
      }
      return ends;
    } finally {
      await admin.disconnect();
    }
  }

  private async bounds(
    admin: Admin,
    topic: string,
  ): ReturnType<typeof partitionBounds> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await partitionBounds(admin, topic);
      } catch (error) {
        if (attempt === LEADER_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, LEADER_RETRY_MS));
      }
    }
  }
}
