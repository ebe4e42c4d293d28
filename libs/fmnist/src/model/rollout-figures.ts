import {
  LATENCY_BUCKETS_MS,
  type RolloutCheckpoint,
  type RolloutTally,
} from '../contracts/rollout.contract.js';
import {
  agreementReport,
  mergeFlipMatrices,
  type AgreementReport,
} from './agreement.js';

/** Counts per bucket of LATENCY_BUCKETS_MS, the last one for anything slower. */
export type LatencyHistogram = number[];

export interface LatencySummary {
  readonly count: number;
  /** Interpolated within their bucket, as Prometheus' histogram_quantile; null with no count. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

/** A rollout's figures over every classifier that reported. */
export interface RolloutFigures extends AgreementReport {
  readonly classifiers: number;
  readonly requests: number;
  readonly candidateErrors: number;
  readonly errorRate: number;
  readonly lastError?: string;
  readonly candidateLatency: LatencySummary;
  readonly activeLatency: LatencySummary;
}

export function emptyLatencyHistogram(): LatencyHistogram {
  return new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
}

export function observeLatency(histogram: LatencyHistogram, ms: number): void {
  const bucket = LATENCY_BUCKETS_MS.findIndex((bound) => ms <= bound);
  histogram[bucket === -1 ? LATENCY_BUCKETS_MS.length : bucket]++;
}

export function latencyQuantile(
  histogram: readonly number[],
  quantile: number,
): number | null {
  const count = histogram.reduce((sum, n) => sum + n, 0);
  if (count === 0) return null;
  const rank = quantile * count;
  let below = 0;
  for (let bucket = 0; bucket < histogram.length; bucket++) {
    const inBucket = histogram[bucket];
    if (inBucket > 0 && below + inBucket >= rank) {
      // Past the last bound nothing is known but that it is slower: its bound is the floor.
      if (bucket === LATENCY_BUCKETS_MS.length)
        return LATENCY_BUCKETS_MS.at(-1)!;
      const lower = bucket === 0 ? 0 : LATENCY_BUCKETS_MS[bucket - 1];
      const upper = LATENCY_BUCKETS_MS[bucket];
      return lower + ((upper - lower) * (rank - below)) / inBucket;
    }
    below += inBucket;
  }
  return LATENCY_BUCKETS_MS.at(-1)!;
}

function summarise(histograms: readonly (readonly number[])[]): LatencySummary {
  const merged = emptyLatencyHistogram();
  for (const histogram of histograms) {
    histogram.forEach((count, bucket) => (merged[bucket] += count));
  }
  return {
    count: merged.reduce((sum, n) => sum + n, 0),
    p50Ms: latencyQuantile(merged, 0.5),
    p99Ms: latencyQuantile(merged, 0.99),
  };
}

/** The sum of the latest tally of each classifier: each one is cumulative, so they add up. */
export function rolloutFigures(
  tallies: readonly RolloutTally[],
): RolloutFigures {
  const requests = tallies.reduce((sum, tally) => sum + tally.requests, 0);
  const candidateErrors = tallies.reduce(
    (sum, tally) => sum + tally.candidateErrors,
    0,
  );
  const lastError = [...tallies]
    .filter((tally) => tally.lastError !== undefined)
    .sort((a, b) => a.reportedAt.localeCompare(b.reportedAt))
    .at(-1)?.lastError;
  return {
    classifiers: tallies.length,
    requests,
    candidateErrors,
    errorRate: requests === 0 ? 0 : candidateErrors / requests,
    ...(lastError === undefined ? {} : { lastError }),
    ...agreementReport(mergeFlipMatrices(tallies.map((tally) => tally.flips))),
    candidateLatency: summarise(tallies.map((tally) => tally.candidateLatency)),
    activeLatency: summarise(tallies.map((tally) => tally.activeLatency)),
  };
}

/** What a decision keeps of the figures it was taken on. */
export function rolloutCheckpoint(figures: RolloutFigures): RolloutCheckpoint {
  return {
    requests: figures.requests,
    compared: figures.compared,
    agreement: figures.agreement,
    errorRate: figures.errorRate,
    latencyP99Ms: figures.candidateLatency.p99Ms,
  };
}
