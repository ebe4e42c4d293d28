import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-node';
import { useNativeTrainingKernels } from './native-kernels.js';

const INPUTS = [NaN, -2, -0, 0, 0.5, 3, Infinity, -Infinity];

describe('the native training kernels', () => {
  useNativeTrainingKernels();

  it('is 1 above zero, alpha at and below it, and keeps NaN', () => {
    const x = tf.tensor1d(INPUTS);
    for (const alpha of [0, 0.2]) {
      const below = Math.fround(alpha);
      assert.deepEqual(Array.from(tf.step(x, alpha).dataSync()), [
        NaN,
        below,
        below,
        below,
        1,
        1,
        1,
        below,
      ]);
    }
  });

  it('gives float steps of integer tensors, as the kernel it replaces', () => {
    const step = tf.step(tf.tensor1d([-1, 0, 2], 'int32'));
    assert.equal(step.dtype, 'float32');
    assert.deepEqual(Array.from(step.dataSync()), [0, 0, 1]);
  });

  it('give the gradient of ReLU: the upstream gradient where the input is above zero', () => {
    const x = tf.tensor1d([-1, -0, 0, 2, 5, Infinity]);
    const gradient = tf.grad((input: tf.Tensor) =>
      tf
        .relu(input)
        .mul(tf.tensor1d([1, 2, 3, 4, 5, 6]))
        .sum(),
    )(x);
    assert.deepEqual(Array.from(gradient.dataSync()), [0, 0, 0, 4, 5, 6]);
  });

  it('give the gradient of ReLU layers, and leave no tensor behind', () => {
    const x = tf.tensor1d([-1, 0, 2, 5]);
    const before = tf.memory().numTensors;
    const gradient = tf.grad((input: tf.Tensor) => tf.relu(input).mul(3).sum())(
      x,
    );
    assert.deepEqual(Array.from(gradient.dataSync()), [0, 0, 3, 3]);
    gradient.dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  it('can be installed again without stacking', () => {
    useNativeTrainingKernels();
    assert.deepEqual(
      Array.from(tf.step(tf.tensor1d([-1, 1])).dataSync()),
      [0, 1],
    );
  });
});
