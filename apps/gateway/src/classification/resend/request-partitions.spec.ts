import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RequestPartitions } from './request-partitions.js';

describe('RequestPartitions', () => {
  const picks = (partitions: RequestPartitions, tried: number[], now = 0) =>
    new Set(
      Array.from({ length: 200 }, () => partitions.pick(new Set(tried), now)),
    );

  it('spreads requests over every partition', () => {
    assert.deepEqual(
      [...picks(new RequestPartitions(4, 1000), [])].sort(),
      [0, 1, 2, 3],
    );
  });

  it('sends a request again only to partitions it has not tried, and then to none', () => {
    const partitions = new RequestPartitions(4, 1000);
    assert.deepEqual([...picks(partitions, [0, 2])].sort(), [1, 3]);
    assert.deepEqual([...picks(partitions, [0, 1, 2, 3])], [undefined]);
  });

  it('avoids a suspected partition until its suspicion ends or it answers', () => {
    const partitions = new RequestPartitions(3, 1000);
    partitions.suspect(1, 0);
    assert.deepEqual([...picks(partitions, [], 500)].sort(), [0, 2]);
    assert.deepEqual([...picks(partitions, [], 1000)].sort(), [0, 1, 2]);
    partitions.suspect(1, 2000);
    partitions.answered(1);
    assert.deepEqual([...picks(partitions, [], 2500)].sort(), [0, 1, 2]);
  });

  it('still tries suspected partitions when no other is left', () => {
    const partitions = new RequestPartitions(2, 1000);
    partitions.suspect(0, 0);
    partitions.suspect(1, 0);
    assert.deepEqual([...picks(partitions, [1], 10)], [0]);
  });
});
