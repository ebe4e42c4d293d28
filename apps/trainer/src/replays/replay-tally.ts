import {
  agreementReport,
  countFlips,
  emptyFlipMatrix,
  LABELS,
  type ModelRef,
} from '#fmnist';
import type { PartitionRange } from '#platform';
import type { Percentiles, ReplayReport } from './replay.js';

/**
 * What a replay has counted so far: its answers against the recorded ones, in a flip matrix
 * (`#fmnist`'s agreement), and the timings of both. Requests are told apart by a key, so one the
 * gateway sent again (same request, another message) counts once.
 */
export class ReplayTally {
  private readonly flips = emptyFlipMatrix();
  private readonly seen = new Set<string>();
  private readonly answered = new Set<string>();
  private readonly servedBy = new Map<
    string,
    { model: ModelRef; images: number }
  >();
  private readonly servedMs: number[] = [];
  private readonly replayMs: number[] = [];
  private replayImages = 0;
  private replayTotalMs = 0;
  private invalid = 0;

  /**
   * Whether the request `key` is to be compared: it has an answer and no copy of it was taken
   * already. Notes it as seen either way.
   */
  needs(key: string, hasAnswer: boolean): boolean {
    this.seen.add(key);
    if (!hasAnswer || this.answered.has(key)) return false;
    this.answered.add(key);
    return true;
  }

  countInvalid(): void {
    this.invalid++;
  }

  /** One answered request: what its served model said, what the replayed one says. */
  compare(
    served: { model: ModelRef; labels: Uint8Array; inferenceMs: number },
    replayed: ArrayLike<number>,
  ): void {
    countFlips(this.flips, served.labels, replayed);
    this.servedMs.push(served.inferenceMs);
    const modelKey = `${served.model.name}:${served.model.version}`;
    const entry = this.servedBy.get(modelKey) ?? {
      model: served.model,
      images: 0,
    };
    entry.images += served.labels.length;
    this.servedBy.set(modelKey, entry);
  }

  /** Model calls of the replay. */
  addCalls(calls: readonly { ms: number; images: number }[]): void {
    for (const { ms, images } of calls) {
      this.replayMs.push(ms);
      this.replayImages += images;
      this.replayTotalMs += ms;
    }
  }

  get compared(): number {
    return this.flips.reduce(
      (sum, row) => sum + row.reduce((total, n) => total + n, 0),
      0,
    );
  }

  report(partitions: PartitionRange[]): ReplayReport {
    const agreement = agreementReport(this.flips);
    return {
      ...agreement,
      requests: this.seen.size,
      answered: this.answered.size,
      invalid: this.invalid,
      servedBy: [...this.servedBy.values()],
      classChanges: LABELS.map(({ index, slug }) => ({
        label: slug,
        served: this.flips[index].reduce((sum, n) => sum + n, 0),
        replayed: this.flips.reduce((sum, row) => sum + row[index], 0),
      })),
      latency: {
        servedInferenceMs: percentiles(this.servedMs),
        replayInferenceMs: percentiles(this.replayMs),
        replayImagesPerSecond:
          this.replayTotalMs > 0
            ? Math.round((this.replayImages / this.replayTotalMs) * 1000)
            : 0,
      },
      partitions,
    };
  }
}

/** Nearest-rank percentiles; none of nothing. */
export function percentiles(
  values: readonly number[],
): Percentiles | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (share: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)];
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return { p50: round(at(0.5)), p99: round(at(0.99)) };
}
