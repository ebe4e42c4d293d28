import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  inRolloutShare,
  type RolloutTally,
} from '../contracts/rollout.contract.js';
import { countFlips, emptyFlipMatrix } from './agreement.js';
import {
  emptyLatencyHistogram,
  latencyQuantile,
  observeLatency,
  rolloutFigures,
} from './rollout-figures.js';

function tally(
  classifier: string,
  active: number[],
  candidate: number[],
  latenciesMs: number[],
  errors = 0,
): RolloutTally {
  const latency = emptyLatencyHistogram();
  latenciesMs.forEach((ms) => observeLatency(latency, ms));
  return {
    classifier,
    rolloutId: '00000000-0000-4000-8000-000000000000',
    candidate: { name: 'm', version: 2 },
    requests: active.length + errors,
    flips: countFlips(emptyFlipMatrix(), active, candidate),
    candidateErrors: errors,
    ...(errors > 0 && { lastError: `failed on ${classifier}` }),
    candidateLatency: latency,
    activeLatency: latency,
    reportedAt: new Date().toISOString(),
  };
}

describe("a rollout's figures", () => {
  it('add up the tallies of every classifier', () => {
    const figures = rolloutFigures([
      tally('a', [0, 0, 1], [0, 6, 1], [3, 3, 3]),
      tally('b', [9, 9], [9, 7], [30, 30], 2),
    ]);
    assert.equal(figures.classifiers, 2);
    assert.equal(figures.requests, 7);
    assert.equal(figures.compared, 5);
    assert.equal(figures.agreement, 3 / 5);
    assert.equal(figures.flipMatrix[0][6], 1);
    assert.equal(figures.flipMatrix[9][7], 1);
    assert.equal(figures.candidateErrors, 2);
    assert.equal(figures.errorRate, 2 / 7);
    assert.equal(figures.lastError, 'failed on b');
    assert.equal(figures.candidateLatency.count, 5);
  });

  it('are zero, not NaN, before any request', () => {
    const figures = rolloutFigures([]);
    assert.deepEqual(
      [figures.requests, figures.errorRate, figures.agreement],
      [0, 0, 0],
    );
    assert.equal(figures.candidateLatency.p99Ms, null);
  });
});

describe('latency quantiles from the bucket counts', () => {
  it('interpolate within the bucket the rank falls in', () => {
    const histogram = emptyLatencyHistogram();
    // 100 answers between 10 and 20 ms: all in the (10, 20] bucket.
    for (let i = 0; i < 100; i++) observeLatency(histogram, 15);
    assert.equal(latencyQuantile(histogram, 0.5), 15);
    assert.equal(latencyQuantile(histogram, 0.99), 19.9);
  });

  it('place a slow tail in the upper buckets', () => {
    const histogram = emptyLatencyHistogram();
    for (let i = 0; i < 98; i++) observeLatency(histogram, 1.5);
    observeLatency(histogram, 400);
    observeLatency(histogram, 60_000);
    assert.ok(latencyQuantile(histogram, 0.5)! <= 2);
    assert.equal(latencyQuantile(histogram, 0.99), 500);
    assert.equal(latencyQuantile(histogram, 1), 10_000);
  });
});

describe("a rollout's share of the requests", () => {
  const rollout = { id: '4b6f1f8e-2f7c-4d3b-9a7e-1c2d3e4f5a6b', percent: 20 };
  const ids = Array.from({ length: 10_000 }, (_, i) => `request-${i}`);

  it('is about the percent asked for', () => {
    const share = ids.filter((id) => inRolloutShare(id, rollout)).length;
    assert.ok(Math.abs(share / ids.length - 0.2) < 0.015, String(share));
  });

  it('is the same decision for the same request, and another one per rollout', () => {
    const chosen = ids.filter((id) => inRolloutShare(id, rollout));
    assert.deepEqual(
      chosen,
      ids.filter((id) => inRolloutShare(id, rollout)),
    );
    const other = { ...rollout, id: '9b6f1f8e-2f7c-4d3b-9a7e-1c2d3e4f5a6b' };
    assert.notDeepEqual(
      chosen,
      ids.filter((id) => inRolloutShare(id, other)),
    );
  });

  it('is every request at 100%', () => {
    assert.ok(
      ids.every((id) => inRolloutShare(id, { ...rollout, percent: 100 })),
    );
  });
});
