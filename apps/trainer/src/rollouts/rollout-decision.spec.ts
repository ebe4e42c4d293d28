import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  countFlips,
  emptyFlipMatrix,
  emptyLatencyHistogram,
  observeLatency,
  rolloutFigures,
  type Rollout,
  type RolloutFigures,
} from '#fmnist';
import { decideRollout } from './rollout-decision.js';

const rollout: Rollout = {
  id: '4b6f1f8e-2f7c-4d3b-9a7e-1c2d3e4f5a6b',
  candidate: { name: 'm', version: 2 },
  mode: 'shadow',
  percent: 100,
  autoRollback: { minRequests: 10, maxErrorRate: 0.1, minAgreement: 0.8 },
  autoPromote: { minRequests: 20, maxErrorRate: 0, maxLatencyP99Ms: 50 },
  state: 'running',
  startedAt: new Date().toISOString(),
  history: [],
};

/** `agreeing` of `requests` images answered alike, `errors` requests failed, each in `ms`. */
function figures(
  requests: number,
  agreeing: number,
  errors = 0,
  ms = 5,
): RolloutFigures {
  const answered = requests - errors;
  const active = Array.from({ length: answered }, () => 1);
  const candidate = active.map((label, i) => (i < agreeing ? label : 2));
  const latency = emptyLatencyHistogram();
  active.forEach(() => observeLatency(latency, ms));
  return rolloutFigures([
    {
      classifier: 'c',
      rolloutId: rollout.id,
      candidate: rollout.candidate,
      requests,
      flips: countFlips(emptyFlipMatrix(), active, candidate),
      candidateErrors: errors,
      candidateLatency: latency,
      activeLatency: latency,
      reportedAt: new Date().toISOString(),
    },
  ]);
}

describe('the automatic decision on a rollout', () => {
  it('waits for the requests the limits ask for', () => {
    assert.equal(decideRollout(rollout, figures(9, 0, 9)), undefined);
  });

  it('rolls back a candidate that fails, saying which figure crossed', () => {
    const decision = decideRollout(rollout, figures(10, 0, 10));
    assert.equal(decision?.state, 'rolled-back');
    assert.match(decision.reason, /error rate 1 > 0.1/);
    assert.match(decision.reason, /no image compared/);
    assert.match(decision.reason, /after 10 requests/);
  });

  it('rolls back a candidate that disagrees with the active model', () => {
    const decision = decideRollout(rollout, figures(10, 7));
    assert.equal(decision?.state, 'rolled-back');
    assert.match(decision.reason, /^agreement 0.7 < 0.8/);
  });

  it('keeps a candidate within every limit running until it may be promoted', () => {
    assert.equal(decideRollout(rollout, figures(19, 19)), undefined);
    assert.equal(decideRollout(rollout, figures(20, 20))?.state, 'promoted');
  });

  it('does not promote a candidate slower than the limit', () => {
    assert.equal(decideRollout(rollout, figures(20, 20, 0, 80)), undefined);
  });

  it('decides nothing for a rollout that has ended', () => {
    assert.equal(
      decideRollout({ ...rollout, state: 'ended' }, figures(10, 0, 10)),
      undefined,
    );
  });
});
