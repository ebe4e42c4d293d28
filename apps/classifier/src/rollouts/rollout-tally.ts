import {
  argMax,
  countFlips,
  emptyFlipMatrix,
  emptyLatencyHistogram,
  observeLatency,
  type ModelRef,
  type Rollout,
  type RolloutTally,
} from '#fmnist';

/** How one model did on one request of the rollout's share. */
export type ModelOutcome =
  | { ok: true; probabilities: number[][]; latencyMs: number }
  | { ok: false; error: string };

/** This classifier's cumulative figures for one rollout, published as its tally. */
export class RolloutTallyCounter {
  private requests = 0;
  private candidateErrors = 0;
  private lastError?: string;
  private readonly flips = emptyFlipMatrix();
  private readonly candidateLatency = emptyLatencyHistogram();
  private readonly activeLatency = emptyLatencyHistogram();
  /** Whether it changed since it was last published. */
  changed = false;

  constructor(
    readonly rolloutId: string,
    private readonly candidate: ModelRef,
  ) {}

  static of(rollout: Rollout): RolloutTallyCounter {
    return new RolloutTallyCounter(rollout.id, rollout.candidate);
  }

  /** Counts one request both models were given; images are compared where both answered. */
  count(active: ModelOutcome, candidate: ModelOutcome): void {
    this.changed = true;
    this.requests++;
    if (active.ok) observeLatency(this.activeLatency, active.latencyMs);
    if (!candidate.ok) {
      this.candidateErrors++;
      this.lastError = candidate.error;
      return;
    }
    observeLatency(this.candidateLatency, candidate.latencyMs);
    if (active.ok) {
      countFlips(
        this.flips,
        active.probabilities.map((probabilities) => argMax(probabilities)),
        candidate.probabilities.map((probabilities) => argMax(probabilities)),
      );
    }
  }

  tally(classifier: string): RolloutTally {
    this.changed = false;
    return {
      classifier,
      rolloutId: this.rolloutId,
      candidate: this.candidate,
      requests: this.requests,
      flips: this.flips.map((row) => [...row]),
      candidateErrors: this.candidateErrors,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      candidateLatency: [...this.candidateLatency],
      activeLatency: [...this.activeLatency],
      reportedAt: new Date().toISOString(),
    };
  }
}
