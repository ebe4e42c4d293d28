import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';

/** Offsets `[start, end)` of one partition. */
export interface PartitionRange {
  readonly partition: number;
  readonly start: number;
  readonly end: number;
}

export interface RangeMessage {
  readonly partition: number;
  readonly message: KafkaMessage;
}

/** A long handling of one batch must not end the reader's group session (a rebalance would re-seek). */
const SESSION_TIMEOUT_MS = 60_000;

/** The offsets of `topic` now: the first retained and the next to be written, per partition. */
export async function partitionBounds(
  admin: Admin,
  topic: string,
): Promise<{ partition: number; low: number; high: number }[]> {
  return (await admin.fetchTopicOffsets(topic)).map(
    ({ partition, low, high }) => ({
      partition,
      low: Number(low),
      high: Number(high),
    }),
  );
}

/** Per partition, the first offset whose timestamp is at `timestamp` or later (else the end). */
export async function offsetsAt(
  admin: Admin,
  topic: string,
  timestamp: number,
): Promise<Map<number, number>> {
  const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, timestamp);
  return new Map(
    offsets.map(({ partition, offset }) => [partition, Number(offset)]),
  );
}

/**
 * Reads the given offset ranges of `topic` once, handing each fetched batch to `handle` and
 * awaiting it before the next (so a slow handler holds the reading back, and memory stays
 * bounded by one fetch). kafkajs consumes only in a group: this one's group is its own, commits
 * nothing and is deleted afterwards, so reading leaves nothing behind on the cluster and moves no
 * other group's offsets. `signal` stops the reading early; a `handle` that throws ends it with
 * that error.
 */
export async function readTopicRanges(
  kafka: Kafka,
  topic: string,
  ranges: readonly PartitionRange[],
  handle: (messages: RangeMessage[]) => Promise<void>,
  options: { groupPrefix: string; signal?: AbortSignal },
): Promise<void> {
  const wanted = new Map(
    ranges
      .filter((range) => range.end > range.start)
      .map((range) => [range.partition, range]),
  );
  const pending = new Set(wanted.keys());
  if (pending.size === 0) return;
  const groupId = `${options.groupPrefix}-${randomUUID()}`;
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: SESSION_TIMEOUT_MS,
    rebalanceTimeout: SESSION_TIMEOUT_MS,
    allowAutoTopicCreation: false,
  });
  const admin = kafka.admin();
  /** Fetched from the partition's end before the seek to its range applied: not the range's. */
  const beforeSeek = (partition: number, firstOffset: string | null) =>
    firstOffset === null ||
    Number(firstOffset) >= (wanted.get(partition)?.end ?? 0);
  try {
    await consumer.connect();
    await consumer.subscribe({ topic });
    await new Promise<void>((resolve, reject) => {
      const abort = () => resolve();
      options.signal?.addEventListener('abort', abort, { once: true });
      if (options.signal?.aborted) return resolve();
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) reject(payload.error);
      });
      // After every fetched batch, also one of transaction markers only, which kafkajs hands no
      // handler: a transactional topic's range may end with one.
      consumer.on(
        consumer.events.END_BATCH_PROCESS,
        ({ payload: { partition, firstOffset, lastOffset } }) => {
          const range = wanted.get(partition);
          if (range && beforeSeek(partition, firstOffset)) return;
          if (range && Number(lastOffset) + 1 < range.end) return;
          // Done with it, or a partition outside the ranges (read from its end, for nothing).
          consumer.pause([{ topic, partitions: [partition] }]);
          pending.delete(partition);
          if (pending.size === 0) resolve();
        },
      );
      consumer
        .run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          eachBatch: async (payload) => {
            const { batch } = payload;
            const range = wanted.get(batch.partition);
            if (range && !beforeSeek(batch.partition, batch.firstOffset())) {
              const inRange = batch.messages.filter((message) => {
                const offset = Number(message.offset);
                return offset >= range.start && offset < range.end;
              });
              if (inRange.length > 0 && !options.signal?.aborted) {
                try {
                  await handle(
                    inRange.map((message) => ({
                      partition: batch.partition,
                      message,
                    })),
                  );
                } catch (error) {
                  // The reading fails with it, rather than kafkajs retrying the batch.
                  return reject(
                    error instanceof Error ? error : new Error(String(error)),
                  );
                }
              }
            }
            payload.resolveOffset(batch.lastOffset());
            await payload.heartbeat();
          },
        })
        .then(() => {
          for (const range of wanted.values()) {
            consumer.seek({
              topic,
              partition: range.partition,
              offset: String(range.start),
            });
          }
        }, reject);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin
      .connect()
      .then(() => admin.deleteGroups([groupId]))
      .catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
