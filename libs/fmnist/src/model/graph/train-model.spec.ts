import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-node';
import { learningRateAt, trainModel } from './train-model.js';
import { TrainingStep } from './training-step.js';

/** Every layer kind the training graph takes, without randomness: two paddings, pooling, dense. */
function deterministicModel(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [8, 8, 1],
        filters: 3,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 6, activation: 'relu' }),
      tf.layers.dense({ units: 5, activation: 'softmax' }),
    ],
  });
}

function batch(size: number, classes = 5): [tf.Tensor, tf.Tensor] {
  const x = tf.tensor4d(
    Float32Array.from({ length: size * 64 }, (_, i) => ((i * 37) % 101) / 100),
    [size, 8, 8, 1],
  );
  const labels = Int32Array.from({ length: size }, (_, i) => i % classes);
  return [x, tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat()];
}

function weightsOf(model: tf.LayersModel): number[] {
  return model.getWeights().flatMap((weight) => Array.from(weight.dataSync()));
}

describe('training through a compiled step', () => {
  it("takes the steps tfjs's own gradients and Adam take (epsilon apart)", async () => {
    const [x, y] = batch(6);
    const ours = deterministicModel();
    const theirs = deterministicModel();
    theirs.setWeights(ours.getWeights());
    const start = weightsOf(ours);
    const epsilon = 1e-12;

    const step = await TrainingStep.compile(ours, {
      beta1: 0.9,
      beta2: 0.999,
      epsilon,
    });
    const losses: number[] = [];
    for (let i = 0; i < 5; i++) losses.push(step.run(x, y, 0.01).loss);
    step.copyWeightsTo(ours);
    step.dispose();

    const adam = tf.train.adam(0.01, 0.9, 0.999, epsilon);
    const expectedLosses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const loss = adam.minimize(
        () =>
          tf.metrics
            .categoricalCrossentropy(y, theirs.apply(x) as tf.Tensor)
            .mean(),
        true,
      );
      expectedLosses.push(loss!.dataSync()[0]);
      loss!.dispose();
    }

    losses.forEach((loss, i) =>
      assert.ok(
        Math.abs(loss - expectedLosses[i]) < 1e-5,
        `step ${i}: loss ${loss} != ${expectedLosses[i]}`,
      ),
    );
    const expected = weightsOf(theirs);
    const actual = weightsOf(ours);
    assert.ok(actual.some((value, i) => Math.abs(value - start[i]) > 1e-3));
    actual.forEach((value, i) =>
      assert.ok(
        Math.abs(value - expected[i]) < 1e-5,
        `weight ${i}: ${value} != ${expected[i]}`,
      ),
    );
    tf.dispose([x, y]);
    adam.dispose();
  });

  it('drops the units before a dropout layer at its rate while training, and keeps the rest', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [8, 8, 1] }),
        tf.layers.dense({ units: 200, biasInitializer: 'ones' }),
        tf.layers.dropout({ rate: 0.5 }),
        tf.layers.dense({ units: 5, activation: 'softmax' }),
      ],
    });
    const lastKernel = () =>
      model.getWeights()[2].dataSync().slice() as Float32Array;
    const before = lastKernel();
    const [x, y] = batch(1);
    const step = await TrainingStep.compile(model);
    step.run(x, y, 0.01);
    step.copyWeightsTo(model);
    step.dispose();
    const after = lastKernel();
    // One image: a dropped unit's row of the next kernel gets no gradient, so it does not move.
    let unchangedRows = 0;
    for (let row = 0; row < 200; row++) {
      const moved = [0, 1, 2, 3, 4].some(
        (column) => after[row * 5 + column] !== before[row * 5 + column],
      );
      if (!moved) unchangedRows++;
    }
    assert.ok(
      unchangedRows > 70 && unchangedRows < 130,
      `${unchangedRows} of 200 units dropped`,
    );
    tf.dispose([x, y]);
    model.dispose();
  });

  it('names the layer it has no gradient for', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [8, 8, 1] }),
        tf.layers.batchNormalization(),
        tf.layers.dense({ units: 5, activation: 'softmax' }),
      ],
    });
    await assert.rejects(
      TrainingStep.compile(model),
      /no gradient for this layer \(layer \S+ of class BatchNormalization\)/,
    );
    model.dispose();
  });

  it('reports the loss and accuracy of each epoch, reshuffled, and stops when told', async () => {
    const [x, y] = batch(40);
    const model = deterministicModel();
    const epochs: { loss: number; acc: number }[] = [];
    let batches = 0;
    await trainModel(model, x, y, {
      epochs: 10,
      batchSize: 16,
      learningRate: 0.01,
      validationData: [x, y],
      onBatchEnd: () => {
        batches++;
        return Promise.resolve();
      },
      onEpochEnd: (epoch, logs) => {
        epochs.push(logs);
        // The epoch's model as tfjs itself runs it, layer by layer.
        const [valLoss, valAcc] = tf.tidy(() => {
          const p = model.predict(x) as tf.Tensor;
          return [
            tf.metrics.categoricalCrossentropy(y, p).mean().dataSync()[0],
            tf.metrics.categoricalAccuracy(y, p).mean().dataSync()[0],
          ];
        });
        assert.ok(Math.abs((logs.val_loss ?? NaN) - valLoss) < 1e-5);
        assert.equal(logs.val_acc, valAcc);
        return Promise.resolve(epoch === 5 ? 'stop' : undefined);
      },
    });
    assert.equal(epochs.length, 6);
    assert.equal(batches, 6 * 3);
    assert.ok(
      epochs[5].loss < epochs[0].loss,
      `loss ${epochs[0].loss} -> ${epochs[5].loss}`,
    );
    assert.ok(epochs.every(({ acc }) => acc >= 0 && acc <= 1));
    tf.dispose([x, y]);
    model.dispose();
  });

  it('keeps the rate constant, or lowers it linearly to zero over the training', () => {
    const constant = { learningRate: 0.002 };
    const linear = {
      learningRate: 0.002,
      learningRateSchedule: 'linear',
    } as const;
    assert.equal(learningRateAt(8, 8, constant), 0.002);
    assert.equal(learningRateAt(1, 8, linear), 0.002);
    assert.ok(Math.abs(learningRateAt(8, 8, linear) - 0.002 / 8) < 1e-12);
    assert.equal(learningRateAt(9, 8, linear), 0);
  });
});
