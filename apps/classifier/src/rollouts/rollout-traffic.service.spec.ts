import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ClassificationErrorCode,
  type ModelRef,
  type Rollout,
  type RolloutTally,
} from '#fmnist';
import type { RolloutTopicsService } from '#model-registry';
import { ClassificationFailure } from '../classification/classification-failure.js';
import type { LoadedModelsService } from '../models/loaded-models.service.js';
import type { RolloutTalliesService } from './rollout-tallies.service.js';
import { RolloutTallyCounter } from './rollout-tally.js';
import {
  RolloutTrafficService,
  type Scored,
} from './rollout-traffic.service.js';

const ACTIVE: ModelRef = { name: 'm', version: 1 };
const CANDIDATE: ModelRef = { name: 'm', version: 2 };

function rollout(mode: Rollout['mode'], percent = 100): Rollout {
  return {
    id: '4b6f1f8e-2f7c-4d3b-9a7e-1c2d3e4f5a6b',
    candidate: CANDIDATE,
    mode,
    percent,
    state: 'running',
    startedAt: new Date().toISOString(),
    history: [],
  };
}

/** Two models answering one image each: the active one class 0, the candidate class `says`. */
function setUp(
  current: Rollout | undefined,
  candidate: 'ok' | Error,
  says = 3,
) {
  const counter = current && RolloutTallyCounter.of(current);
  const scoredBy: string[] = [];
  const traffic = new RolloutTrafficService(
    { current } as RolloutTopicsService,
    { of: () => counter } as unknown as RolloutTalliesService,
    { active: { ref: ACTIVE } } as LoadedModelsService,
  );
  const answer = (model: ModelRef, label: number): Scored => ({
    model,
    probabilities: [
      Array.from({ length: 10 }, (_, i) => (i === label ? 1 : 0)),
    ],
    inferenceMs: 4,
  });
  const score = (model?: { name: string; version?: number }) => {
    scoredBy.push(model ? `v${model.version}` : 'active');
    if (model?.version !== CANDIDATE.version) {
      return Promise.resolve(answer(ACTIVE, 0));
    }
    return candidate === 'ok'
      ? Promise.resolve(answer(CANDIDATE, says))
      : Promise.reject(candidate);
  };
  const route = (requestId = 'r1', requested?: ModelRef) =>
    traffic.route(requestId, requested, score);
  const tally = async (): Promise<RolloutTally | undefined> => {
    await new Promise((resolve) => setImmediate(resolve));
    return counter?.tally('c');
  };
  return { route, scoredBy, tally };
}

describe('the rollout share of the traffic on a classifier', () => {
  it('in shadow, answers with the active model and counts how the candidate differs', async () => {
    const { route, scoredBy, tally } = setUp(rollout('shadow'), 'ok');
    assert.deepEqual((await route()).model, ACTIVE);
    assert.deepEqual(scoredBy, ['active', 'v2']);
    const counted = await tally();
    assert.equal(counted?.requests, 1);
    assert.equal(counted?.flips[0][3], 1);
  });

  it('in shadow, keeps a failing candidate from the caller and counts its failure', async () => {
    const { route, tally } = setUp(rollout('shadow'), new Error('broken'));
    assert.deepEqual((await route()).model, ACTIVE);
    const counted = await tally();
    assert.deepEqual([counted?.requests, counted?.candidateErrors], [1, 1]);
    assert.equal(counted?.lastError, 'broken');
  });

  it('in canary, answers with the candidate, queued first', async () => {
    const { route, scoredBy } = setUp(rollout('canary'), 'ok');
    assert.deepEqual((await route()).model, CANDIDATE);
    assert.deepEqual(scoredBy, ['v2', 'active']);
  });

  it('in canary, answers with the active model when the candidate fails', async () => {
    const { route, tally } = setUp(rollout('canary'), new Error('broken'));
    assert.deepEqual((await route()).model, ACTIVE);
    assert.equal((await tally())?.candidateErrors, 1);
  });

  it('counts nothing for a request past its deadline', async () => {
    const expired = new ClassificationFailure(
      ClassificationErrorCode.deadlineExceeded,
      'too late',
    );
    const { route, tally } = setUp(rollout('shadow'), expired);
    await route();
    assert.equal((await tally())?.requests, 0);
  });

  it('leaves alone requests that name a version, those outside the share, and any without a rollout', async () => {
    for (const [current, requested, requestId] of [
      [rollout('canary'), ACTIVE, 'r1'],
      [rollout('canary', 1), undefined, 'outside'],
      [{ ...rollout('canary'), state: 'rolled-back' }, undefined, 'r1'],
      [undefined, undefined, 'r1'],
    ] as const) {
      const { route, scoredBy } = setUp(current, 'ok');
      await route(requestId, requested);
      assert.equal(scoredBy.length, 1, JSON.stringify(current?.state));
    }
  });
});
