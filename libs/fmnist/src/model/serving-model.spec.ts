import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-node';
import { IMAGE_PIXELS } from '../image/image-format.js';
import { ARCHITECTURES } from './architectures.js';
import { buildModel, toInputTensor } from './models.js';
import { ServingModel } from './serving-model.js';

function images(count: number, seed: number): tf.Tensor4D {
  return toInputTensor(
    Uint8Array.from(
      { length: count * IMAGE_PIXELS },
      (_, i) => (i * 31 + seed * 17) % 256,
    ),
    count,
  );
}

function probabilities(model: ServingModel, input: tf.Tensor4D): number[][] {
  return tf.tidy(() => model.predict(input).arraySync());
}

function layerByLayer(model: ServingModel, input: tf.Tensor4D): number[][] {
  return tf.tidy(() =>
    (model.layersModel.predict(input) as tf.Tensor2D).arraySync(),
  );
}

function assertClose(actual: number[][], expected: number[][]): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((row, i) =>
    row.forEach((value, label) =>
      assert.ok(
        Math.abs(value - expected[i][label]) < 1e-5,
        `image ${i}, class ${label}: ${value} against ${expected[i][label]}`,
      ),
    ),
  );
}

describe('ServingModel', () => {
  for (const { name } of ARCHITECTURES) {
    it(`runs ${name} as one graph with the answers of its layers`, async () => {
      const model = await ServingModel.of(buildModel(name));
      try {
        assert.equal(model.uncompiledBecause, undefined);
        for (const count of [1, 5]) {
          const input = images(count, count);
          assertClose(probabilities(model, input), layerByLayer(model, input));
          input.dispose();
        }
      } finally {
        model.dispose();
      }
    });
  }

  it('answers with the weights the model holds now, not those it was compiled with', async () => {
    const model = await ServingModel.of(buildModel('seed-cnn'));
    const input = images(3, 7);
    try {
      const before = probabilities(model, input);
      const retrained = buildModel('seed-cnn');
      model.layersModel.setWeights(retrained.getWeights());
      retrained.dispose();
      const after = probabilities(model, input);
      assert.notDeepEqual(after, before);
      assertClose(after, layerByLayer(model, input));
    } finally {
      input.dispose();
      model.dispose();
    }
  });

  it('serves a model with a layer the graph lacks layer by layer, and says which', async () => {
    const model = await ServingModel.of(
      tf.sequential({
        layers: [
          tf.layers.flatten({ inputShape: [28, 28, 1] }),
          tf.layers.dense({ units: 16, activation: 'tanh' }),
          tf.layers.dense({ units: 10, activation: 'softmax' }),
        ],
      }),
    );
    const input = images(2, 3);
    try {
      assert.match(model.uncompiledBecause ?? '', /activation tanh/);
      assert.match(model.uncompiledBecause ?? '', /Dense/);
      assertClose(probabilities(model, input), layerByLayer(model, input));
    } finally {
      input.dispose();
      model.dispose();
    }
  });

  it('leaves a model that does not end in a softmax to its layers', async () => {
    const model = await ServingModel.of(
      tf.sequential({
        layers: [
          tf.layers.flatten({ inputShape: [28, 28, 1] }),
          tf.layers.dense({ units: 10 }),
        ],
      }),
    );
    try {
      assert.match(model.uncompiledBecause ?? '', /softmax dense layer last/);
    } finally {
      model.dispose();
    }
  });

  it('leaves no tensor behind per call, and releases everything on dispose', async () => {
    const before = tf.memory().numTensors;
    const model = await ServingModel.of(buildModel('prototype-cnn'));
    const input = images(4, 1);
    probabilities(model, input);
    const held = tf.memory().numTensors;
    for (let call = 0; call < 20; call++) probabilities(model, input);
    assert.equal(tf.memory().numTensors, held);
    input.dispose();
    model.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});
