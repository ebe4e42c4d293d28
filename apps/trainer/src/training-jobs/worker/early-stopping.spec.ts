import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-node';
import { EarlyStopping } from './early-stopping.js';

function tinyModel(): tf.LayersModel {
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 1, inputShape: [1], useBias: false })],
  });
  model.setWeights([tf.tensor2d([[1]])]);
  return model;
}

const weight = (model: tf.LayersModel) =>
  (model.getWeights()[0].dataSync() as Float32Array)[0];

describe('EarlyStopping', () => {
  it('stops after `patience` epochs without an improvement above minDelta', () => {
    const model = tinyModel();
    const stopping = new EarlyStopping(model, { patience: 2, minDelta: 0.05 });
    assert.equal(stopping.observe(1.0), undefined);
    assert.equal(stopping.observe(0.9), undefined);
    assert.equal(stopping.observe(0.88), undefined);
    assert.equal(stopping.stoppedEarly, false);
    assert.equal(stopping.observe(0.87), 'stop');
    assert.equal(stopping.stoppedEarly, true);
  });

  it("restores the best epoch's weights when it stopped", () => {
    const model = tinyModel();
    const stopping = new EarlyStopping(model, { patience: 1, minDelta: 0 });
    stopping.observe(0.5);
    model.setWeights([tf.tensor2d([[3]])]);
    stopping.observe(0.7);
    stopping.finish();
    assert.equal(weight(model), 1);
  });

  it('keeps the last weights when training ran to its end', () => {
    const model = tinyModel();
    const stopping = new EarlyStopping(model, { patience: 3, minDelta: 0 });
    stopping.observe(0.5);
    model.setWeights([tf.tensor2d([[3]])]);
    stopping.observe(0.7);
    stopping.finish();
    assert.equal(stopping.stoppedEarly, false);
    assert.equal(weight(model), 3);
  });
});
