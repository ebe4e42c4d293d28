import type { Logger } from '@nestjs/common';
import type { EachBatchPayload } from 'kafkajs';

type Committer = Pick<
  EachBatchPayload,
  'commitOffsetsIfNecessary' | 'uncommittedOffsets' | 'isRunning'
>;

/**
 * Commits the offsets an `eachBatch` consumer has resolved at most `intervalMs` after it resolved
 * them, rather than after every batch as kafkajs does with `autoCommit` on: under load a batch
 * holds a few messages, and every commit is a write to `__consumer_offsets` and a round trip
 * before the partition's next fetch (measured at concurrency 64 on photo uploads: half the
 * broker's CPU a request, a sixth more requests a second with the same cores).
 * Run the consumer with `autoCommit: false` and call `resolved` after each batch. Committing at
 * once (`commitNow`, `stop`) is for a consumer about to stop or leave its group; what a crash or
 * a rebalance noticed by kafkajs alone leaves uncommitted, at most `intervalMs` of messages, is
 * consumed again by whoever gets the partition.
 */
export class IntervalOffsetCommits {
  private latest?: Committer;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  /**
   * After a batch's offsets are resolved: they are committed within the interval, or at once when
   * this is stopped or kafkajs is stopping the consumer (it leaves the group after this batch).
   */
  async resolved(payload: Committer): Promise<void> {
    this.latest = payload;
    if (this.stopped || !payload.isRunning()) return this.commitNow();
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.commitNow();
    }, this.intervalMs).unref();
  }

  /** Commits every resolved offset not committed yet; a failure is logged, not thrown. */
  async commitNow(): Promise<void> {
    const payload = this.latest;
    if (!payload) return;
    try {
      const { topics } = payload.uncommittedOffsets();
      // With offsets given, kafkajs commits them whatever its interval.
      if (topics.length > 0) await payload.commitOffsetsIfNecessary({ topics });
    } catch (error) {
      this.logger.warn(
        `committing consumed offsets failed (${String(error)}); they are consumed again after a rebalance`,
      );
    }
  }

  /** For a closing consumer: commits what is resolved, and every later batch at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.commitNow();
  }
}
