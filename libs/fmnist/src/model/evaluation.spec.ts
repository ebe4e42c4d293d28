import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { argMax, argMaxRows, evaluate } from './evaluation.js';

// Ten items of classes 0-3; three mistakes: a 0 taken for a 1, a 2 for a 0 and a 2 for a 3.
const actual = [0, 0, 0, 1, 1, 2, 2, 2, 2, 3];
const predicted = [0, 0, 1, 1, 1, 2, 2, 0, 3, 3];

describe('evaluate', () => {
  const evaluation = evaluate(actual, predicted);
  const byClass = (index: number) => evaluation.perClass[index];

  it('counts the share of correct predictions', () => {
    assert.equal(evaluation.count, 10);
    assert.equal(evaluation.accuracy, 0.7);
  });

  it('fills the confusion matrix with true classes as rows and predictions as columns', () => {
    const corner = evaluation.confusion
      .slice(0, 4)
      .map((row) => row.slice(0, 4));
    assert.deepEqual(corner, [
      [2, 1, 0, 0],
      [0, 2, 0, 0],
      [1, 0, 2, 1],
      [0, 0, 0, 1],
    ]);
    assert.equal(
      evaluation.confusion.flat().reduce((sum, n) => sum + n, 0),
      10,
    );
  });

  it('computes precision, recall and F1 of each class', () => {
    const close = (value: number, expected: number) =>
      assert.ok(Math.abs(value - expected) < 1e-12, `${value} != ${expected}`);
    // Class 0: 2 of the 3 predicted 0 are 0, 2 of the 3 zeros found.
    close(byClass(0).precision, 2 / 3);
    close(byClass(0).recall, 2 / 3);
    close(byClass(0).f1, 2 / 3);
    // Class 1: 2 of 3 predicted, both ones found: F1 = 2 * (2/3 * 1) / (2/3 + 1) = 0.8.
    close(byClass(1).precision, 2 / 3);
    close(byClass(1).recall, 1);
    close(byClass(1).f1, 0.8);
    // Class 2: never wrongly predicted, half of the twos found.
    close(byClass(2).precision, 1);
    close(byClass(2).recall, 0.5);
    close(byClass(2).f1, 2 / 3);
    // Class 3: 1 of the 2 predicted 3 is a 3, the one 3 found.
    close(byClass(3).precision, 0.5);
    close(byClass(3).recall, 1);
    assert.deepEqual(
      evaluation.perClass.map((metrics) => metrics.support),
      [3, 2, 4, 1, 0, 0, 0, 0, 0, 0],
    );
  });

  it('gives 0, not NaN, for classes never present nor predicted', () => {
    const { precision, recall, f1, slug } = byClass(9);
    assert.deepEqual(
      { precision, recall, f1, slug },
      {
        precision: 0,
        recall: 0,
        f1: 0,
        slug: 'ankle-boot',
      },
    );
  });

  it('refuses labels and predictions of different lengths', () => {
    assert.throws(() => evaluate([1, 2], [1]), RangeError);
  });
});

describe('argMax', () => {
  it('is the index of the largest value, the first one on a tie', () => {
    assert.equal(argMax([0.1, 0.7, 0.2]), 1);
    assert.equal(argMax([0.4, 0.4, 0.2]), 0);
  });

  it('looks at a slice when asked, counting from its start', () => {
    assert.equal(argMax([9, 0.1, 0.2, 0.3, 9], 1, 4), 2);
  });
});

describe('argMaxRows', () => {
  it('picks the most probable class of each row of ten', () => {
    const rows = [
      [0.1, 0.6, 0.1, 0.1, 0.1, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0, 0, 0.2, 0.8],
      [0.5, 0.1, 0, 0, 0, 0, 0, 0, 0, 0.4],
    ];
    assert.deepEqual([...argMaxRows(rows.flat())], [1, 9, 0]);
  });
});
