import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IMAGE_PIXELS } from '#fmnist';
import { permutation, pick, splitIndices } from './dataset-split.js';

describe('dataset splits', () => {
  it('shuffles the same way for the same seed, differently for another', () => {
    const a = permutation(1000, 42);
    assert.deepEqual(a, permutation(1000, 42));
    assert.notDeepEqual(a, permutation(1000, 43));
    assert.deepEqual(
      [...a].sort((x, y) => x - y),
      Array.from({ length: 1000 }, (_, i) => i),
    );
  });

  it('holds out the requested share, at least one item on each side', () => {
    const order = permutation(10, 1);
    const { kept, heldOut } = splitIndices(order, 0.2);
    assert.equal(heldOut.length, 2);
    assert.deepEqual([...heldOut, ...kept], [...order]);
    assert.equal(splitIndices(permutation(3, 1), 0.1).heldOut.length, 1);
    assert.equal(splitIndices(permutation(2, 1), 0.9).kept.length, 1);
    assert.equal(splitIndices(order, 0).heldOut.length, 0);
  });

  it('picks images with their labels', () => {
    const images = new Uint8Array(3 * IMAGE_PIXELS);
    images.fill(7, IMAGE_PIXELS * 2);
    const source = { images, labels: Uint8Array.of(4, 5, 6), count: 3 };
    const picked = pick(source, [2, 0]);
    assert.equal(picked.count, 2);
    assert.deepEqual([...picked.labels], [6, 4]);
    assert.equal(picked.images[0], 7);
    assert.equal(picked.images[IMAGE_PIXELS], 0);
  });
});
