import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-node';
import { MultiTensorAdam } from './multi-tensor-adam.js';

/** Two variables of different shapes fitted to fixed targets, from fixed starting values. */
function problem() {
  const weights = tf.variable(
    tf.tensor2d([0.5, -0.2, 0.1, 0.3, -0.4, 0.8], [2, 3]),
  );
  const bias = tf.variable(tf.tensor1d([0.05, -0.05, 0.2]));
  const input = tf.tensor2d([1, 2, -1, 0.5], [2, 2]);
  const target = tf.tensor2d([1, 0, -1, 0.5, 0.5, 2], [2, 3]);
  const loss = (): tf.Scalar =>
    tf.tidy(() =>
      tf.sum(
        tf.square(tf.sub(tf.add(tf.matMul(input, weights), bias), target)),
      ),
    );
  return { weights, bias, loss };
}

function train(optimizer: tf.Optimizer, steps: number): number[][] {
  const { weights, bias, loss } = problem();
  for (let step = 0; step < steps; step++) {
    optimizer.minimize(loss)?.dispose();
  }
  const values = [weights, bias].map((v) => Array.from(v.dataSync()));
  tf.dispose([weights, bias]);
  return values;
}

function assertClose(actual: number[][], expected: number[][]) {
  actual.flat().forEach((value, index) => {
    const want = expected.flat()[index];
    assert.ok(Math.abs(value - want) < 1e-5, `${value} != ${want} at ${index}`);
  });
}

describe('Adam over all variables at once', () => {
  it("moves the variables as tfjs's Adam does (the two differ only in where epsilon sits)", () => {
    const epsilon = 1e-12;
    assertClose(
      train(new MultiTensorAdam(0.01, undefined, 0.9, 0.999, epsilon), 25),
      train(tf.train.adam(0.01, 0.9, 0.999, epsilon), 25),
    );
  });

  it('takes a first step of the learning rate against the sign of each gradient', () => {
    const [weights] = train(new MultiTensorAdam(0.01), 1);
    const [start] = [[0.5, -0.2, 0.1, 0.3, -0.4, 0.8]];
    weights.forEach((value, index) =>
      assert.ok(
        Math.abs(Math.abs(value - start[index]) - 0.01) < 1e-6,
        `moved ${value - start[index]}`,
      ),
    );
  });

  it('stops moving once a linearly falling rate reaches zero', () => {
    assertClose(
      train(new MultiTensorAdam(0.01, 3), 6),
      train(new MultiTensorAdam(0.01, 3), 3),
    );
  });

  it('keeps only its two moment vectors between steps', () => {
    const optimizer = new MultiTensorAdam(0.01);
    const { weights, bias, loss } = problem();
    optimizer.minimize(loss)?.dispose();
    const after = tf.memory().numTensors;
    for (let step = 0; step < 5; step++) optimizer.minimize(loss)?.dispose();
    assert.equal(tf.memory().numTensors, after);
    optimizer.dispose();
    tf.dispose([weights, bias]);
    assert.equal(tf.memory().numTensors, after - 4);
  });
});
