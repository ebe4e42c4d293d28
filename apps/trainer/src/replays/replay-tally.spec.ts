import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LABELS } from '#fmnist';
import { percentiles, ReplayTally } from './replay-tally.js';

const v1 = { name: 'fashion-cnn', version: 1 };

describe('ReplayTally', () => {
  it('counts a request sent again once, and one without an answer as not compared', () => {
    const tally = new ReplayTally();
    assert.equal(tally.needs('a', true), true);
    assert.equal(tally.needs('a', true), false, 'its copy, sent again');
    assert.equal(tally.needs('b', false), false);
    tally.compare(
      { model: v1, labels: Uint8Array.of(3, 4), inferenceMs: 2 },
      [3, 5],
    );
    const report = tally.report([]);
    assert.equal(report.requests, 2);
    assert.equal(report.answered, 1);
    assert.equal(report.compared, 2);
    assert.equal(report.agreement, 0.5);
    assert.equal(report.flipMatrix[4][5], 1);
    assert.deepEqual(report.servedBy, [{ model: v1, images: 2 }]);
  });

  it('says per class how many images each model put there', () => {
    const tally = new ReplayTally();
    tally.compare(
      { model: v1, labels: Uint8Array.of(0, 0, 6), inferenceMs: 1 },
      [0, 6, 6],
    );
    const changes = tally.report([]).classChanges;
    assert.equal(changes.length, LABELS.length);
    assert.deepEqual(changes[0], {
      label: LABELS[0].slug,
      served: 2,
      replayed: 1,
    });
    assert.deepEqual(changes[6], {
      label: LABELS[6].slug,
      served: 1,
      replayed: 2,
    });
  });

  it('times the replay by its model calls', () => {
    const tally = new ReplayTally();
    tally.addCalls([
      { ms: 10, images: 64 },
      { ms: 30, images: 64 },
    ]);
    const { latency } = tally.report([]);
    assert.equal(latency.replayImagesPerSecond, 3200);
    assert.deepEqual(latency.replayInferenceMs, { p50: 10, p99: 30 });
    assert.equal(latency.servedInferenceMs, undefined);
  });
});

describe('percentiles', () => {
  it('takes the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.deepEqual(percentiles(values), { p50: 50, p99: 99 });
    assert.equal(percentiles([]), undefined);
  });
});
