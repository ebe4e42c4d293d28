const SAMPLES = 512;
const RECOMPUTE_EVERY = 32;

/**
 * The p99 of the latest Kafka round trips (request sent to reply received), recomputed every
 * few samples: what "slower than usual" means now, under this load.
 */
export class RoundTripLatency {
  private readonly samples: number[] = [];
  private next = 0;
  private sinceRecompute = 0;
  private cachedP99?: number;

  record(ms: number): void {
    if (this.samples.length < SAMPLES) this.samples.push(ms);
    else this.samples[this.next] = ms;
    this.next = (this.next + 1) % SAMPLES;
    if (++this.sinceRecompute >= RECOMPUTE_EVERY) {
      this.sinceRecompute = 0;
      this.cachedP99 = undefined;
    }
  }

  /** Undefined until enough round trips were seen to tell. */
  p99(): number | undefined {
    if (this.samples.length < RECOMPUTE_EVERY) return undefined;
    this.cachedP99 ??= percentile(this.samples, 0.99);
    return this.cachedP99;
  }
}

function percentile(values: readonly number[], quantile: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))
  ];
}
