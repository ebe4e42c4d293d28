import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-node';
import {
  type SerializedModel,
  deserializeModel,
  serializeModel,
} from './model-serialization.js';
import {
  ARCHITECTURES,
  DEFAULT_TRAINING,
  isArchitectureName,
  trainingDefaults,
} from './architectures.js';
import {
  buildModel,
  predictProbabilities,
  toInputTensor,
  toTargetTensor,
} from './models.js';
import { ServingModel } from './serving-model.js';

describe('model architectures', () => {
  it("offers the default CNN first, then the prototype's model and its wider variant, each described", () => {
    assert.deepEqual(
      ARCHITECTURES.map((architecture) => architecture.name),
      ['default-cnn', 'seed-cnn', 'prototype-cnn'],
    );
    for (const { description } of ARCHITECTURES)
      assert.ok(description.length > 20);
    assert.ok(isArchitectureName('seed-cnn'));
    assert.ok(!isArchitectureName('resnet'));
  });

  it("builds the Python prototype's model exactly as seed-cnn", () => {
    const model = buildModel('seed-cnn');
    assert.deepEqual(
      model.layers.map((layer) => [
        layer.getClassName(),
        layer.outputShape.slice(1),
      ]),
      [
        ['Conv2D', [26, 26, 30]],
        ['MaxPooling2D', [13, 13, 30]],
        ['Flatten', [5070]],
        ['Dense', [20]],
        ['Dense', [10]],
      ],
    );
    // Keras' summary of model_training.py: 300 + 101,420 + 210 parameters.
    assert.equal(model.countParams(), 101_930);
    for (const index of [0, 3]) {
      const { kernelInitializer } = model.layers[index].getConfig() as {
        kernelInitializer: { class_name: string; config: object };
      };
      assert.deepEqual(kernelInitializer.config, {
        scale: 2,
        mode: 'fanIn',
        distribution: 'uniform',
        seed: null,
      });
    }
    model.dispose();
  });

  it("trains seed-cnn with the prototype's settings: batch 20, 2 epochs, constant Adam at 0.001", () => {
    assert.deepEqual(trainingDefaults('seed-cnn'), {
      epochs: 2,
      batchSize: 20,
      learningRate: 0.001,
      validationSplit: 0.1,
      learningRateSchedule: 'constant',
      labelSmoothing: 0,
    });
  });

  it("builds the prototype's wider variant layer for layer", () => {
    const model = buildModel('prototype-cnn');
    assert.deepEqual(
      model.layers.map((layer) => layer.getClassName()),
      ['Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense'],
    );
    assert.equal(model.countParams(), 693_962);
    model.dispose();
  });

  it('predicts in batches through the graph what tfjs predicts layer by layer', async () => {
    const model = buildModel('prototype-cnn');
    const images = new Uint8Array(7 * 784).map((_, i) => (i * 13) % 256);
    const expected = tf.tidy(() =>
      (model.predict(toInputTensor(images, 7)) as tf.Tensor).dataSync(),
    );
    const layers = await predictProbabilities(model, images, 7, 3);
    const served = await ServingModel.of(model);
    const graph = await predictProbabilities(served, images, 7, 3);
    for (const actual of [layers, graph]) {
      assert.equal(actual.length, expected.length);
      actual.forEach((p, i) => assert.ok(Math.abs(p - expected[i]) < 1e-5));
    }
    served.dispose();
  });

  it('takes [n, 28, 28, 1] images and gives 10 probabilities summing to 1', async () => {
    for (const { name } of ARCHITECTURES) {
      const model = buildModel(name);
      assert.deepEqual(model.inputs[0].shape, [null, 28, 28, 1]);
      const images = new Uint8Array(3 * 784).map((_, i) => i % 256);
      const probabilities = await predictProbabilities(model, images, 3);
      assert.equal(probabilities.length, 30);
      for (let row = 0; row < 3; row++) {
        const sum = probabilities
          .subarray(row * 10, row * 10 + 10)
          .reduce((total, p) => total + p, 0);
        assert.ok(
          Math.abs(sum - 1) < 1e-5,
          `${name}: row ${row} sums to ${sum}`,
        );
      }
      model.dispose();
    }
  });

  it('has training defaults a job can use as they are, for every architecture', () => {
    assert.equal(trainingDefaults('default-cnn'), DEFAULT_TRAINING);
    for (const { training } of ARCHITECTURES) {
      assert.ok(Number.isInteger(training.epochs));
      assert.ok(Number.isInteger(training.batchSize));
      assert.ok(training.learningRate > 0);
      assert.ok(training.validationSplit >= 0 && training.validationSplit < 1);
      assert.ok(training.labelSmoothing >= 0 && training.labelSmoothing < 1);
    }
  });
});

describe('toInputTensor', () => {
  it('scales bytes to [0, 1] in a [count, 28, 28, 1] tensor', async () => {
    const images = new Uint8Array(2 * 784);
    images[0] = 255;
    images[784 + 29] = 51;
    const input = toInputTensor(images, 2);
    assert.deepEqual(input.shape, [2, 28, 28, 1]);
    assert.equal(input.dtype, 'float32');
    const values = await input.data();
    assert.equal(values[0], 1);
    assert.equal(values[784 + 29], Math.fround(0.2));
    assert.equal(values[1], 0);
    input.dispose();
  });

  it('refuses fewer bytes than the images announced', () => {
    assert.throws(() => toInputTensor(new Uint8Array(784), 2), RangeError);
  });
});

describe('toTargetTensor', () => {
  it('turns class indices into one-hot rows', async () => {
    const targets = toTargetTensor(Uint8Array.from([3, 0]));
    assert.deepEqual(targets.shape, [2, 10]);
    assert.deepEqual(await targets.array(), [
      [0, 0, 0, 1, 0, 0, 0, 0, 0, 0],
      [1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ]);
    targets.dispose();
  });

  it('spreads the label smoothing share evenly over the classes, as Keras does', async () => {
    const targets = toTargetTensor(Uint8Array.from([2]), 0.1);
    const [row] = await targets.array();
    const close = (actual: number, expected: number) =>
      assert.ok(Math.abs(actual - expected) < 1e-6, `${actual} != ${expected}`);
    close(row[2], 0.91);
    for (const [label, target] of row.entries()) {
      if (label !== 2) close(target, 0.01);
    }
    targets.dispose();
  });
});

describe('serializeModel and deserializeModel', () => {
  it('carry a model through JSON text unchanged', async () => {
    const model = buildModel('default-cnn');
    const text = JSON.stringify(await serializeModel(model));
    const copy = await deserializeModel(JSON.parse(text) as SerializedModel);
    const images = new Uint8Array(4 * 784).map((_, i) => (i * 37) % 256);
    assert.deepEqual(
      await predictProbabilities(copy, images, 4),
      await predictProbabilities(model, images, 4),
    );
    assert.deepEqual(
      copy.getWeights().map((weights) => weights.shape),
      model.getWeights().map((weights) => weights.shape),
    );
    model.dispose();
    copy.dispose();
  });
});
