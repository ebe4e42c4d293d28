import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RoundTripLatency } from './round-trip-latency.js';

describe('RoundTripLatency', () => {
  it('knows no p99 before it has seen a few round trips', () => {
    const latency = new RoundTripLatency();
    for (let i = 0; i < 10; i++) latency.record(5);
    assert.equal(latency.p99(), undefined);
  });

  it('gives the p99 of the latest round trips, following a change of load', () => {
    const latency = new RoundTripLatency();
    for (let i = 1; i <= 512; i++) latency.record(i % 50 === 0 ? 1000 : 10);
    assert.equal(latency.p99(), 1000);
    for (let i = 0; i < 512; i++) latency.record(i % 64 === 0 ? 80 : 20);
    assert.equal(latency.p99(), 80);
  });
});
