import type { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { removeGroup, restartAfterFatalCrash, withTimeout } from '#platform';

/** One record to read: a topic, a partition, an offset, and the key it must have there. */
export interface RecordAt {
  topic: string;
  partition: number;
  offset: string;
  key: string;
}

const READ_TIMEOUT_MS = 30_000;
/** A fetch returns the first record whole even when larger: nothing past it is read for nothing. */
const FETCH_BYTES = 64 * 1024;

/**
 * Reads single records by offset, for processes that load model weights: a consumer of its own,
 * paused, that seeks to a record, takes it, and pauses again. kafkajs reads only in a consumer
 * group, so the group is this process's alone, never commits an offset (a crash leaves an empty
 * group without offsets, which the broker removes by itself) and is removed when the process
 * stops. Created on the first read: a process that loads no weights (the gateway) never joins.
 */
export class RecordReader {
  private readonly groupId = `fashion-weights-${randomUUID()}`;
  private consumer?: Promise<Consumer>;
  private stopRestarting?: () => void;
  private reading: Promise<unknown> = Promise.resolve();
  private wanted?: RecordAt & {
    found: (message: KafkaMessage) => void;
    missing: (error: Error) => void;
  };

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: string[],
    private readonly logger: Logger,
  ) {}

  /** The record at `at`; rejects when compaction or a retirement removed it. One read at a time. */
  read(at: RecordAt): Promise<KafkaMessage> {
    const read = this.reading.then(() => this.readNow(at));
    this.reading = read.catch(() => undefined);
    return read;
  }

  async close(): Promise<void> {
    if (!this.consumer) return;
    this.stopRestarting?.();
    const consumer = await this.consumer.catch(() => undefined);
    await consumer?.disconnect();
    await removeGroup(this.kafka, this.groupId, this.logger);
  }

  private async readNow(at: RecordAt): Promise<KafkaMessage> {
    const consumer = await (this.consumer ??= this.start());
    const found = new Promise<KafkaMessage>((resolve, reject) => {
      this.wanted = { ...at, found: resolve, missing: reject };
    });
    consumer.seek({
      topic: at.topic,
      partition: at.partition,
      offset: at.offset,
    });
    consumer.resume([{ topic: at.topic, partitions: [at.partition] }]);
    try {
      return await withTimeout(
        found,
        READ_TIMEOUT_MS,
        `reading ${at.key} at ${at.topic}[${at.partition}]@${at.offset} took longer than ${READ_TIMEOUT_MS} ms`,
      );
    } finally {
      this.wanted = undefined;
      consumer.pause([{ topic: at.topic }]);
    }
  }

  private async start(): Promise<Consumer> {
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      maxBytesPerPartition: FETCH_BYTES,
      maxBytes: FETCH_BYTES,
      maxWaitTimeInMs: 100,
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics });
    // A join (the first, or after a crash or rebalance) forgets pauses and seeks: set them again.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      const wanted = this.wanted;
      if (wanted) {
        const { topic, partition, offset } = wanted;
        consumer.seek({ topic, partition, offset });
      } else consumer.pause(this.topics.map((topic) => ({ topic })));
    });
    const run = () =>
      consumer.run({
        autoCommit: false,
        eachMessage: ({ topic, partition, message }) => {
          this.take(topic, partition, message);
          return Promise.resolve();
        },
      });
    this.stopRestarting = restartAfterFatalCrash(consumer, run, this.logger);
    await run();
    return consumer;
  }

  private take(topic: string, partition: number, message: KafkaMessage): void {
    const wanted = this.wanted;
    if (
      !wanted ||
      wanted.topic !== topic ||
      wanted.partition !== partition ||
      BigInt(message.offset) < BigInt(wanted.offset)
    )
      return;
    this.wanted = undefined;
    const key = message.key?.toString();
    if (
      message.offset === wanted.offset &&
      key === wanted.key &&
      message.value
    ) {
      wanted.found(message);
    } else {
      wanted.missing(
        new Error(
          `${wanted.key} is no longer at ${topic}[${partition}]@${wanted.offset} (retired or compacted away)`,
        ),
      );
    }
  }
}
