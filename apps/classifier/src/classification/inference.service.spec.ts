import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-node';
import { Histogram } from 'prom-client';
import { ClassificationErrorCode, IMAGE_PIXELS } from '#fmnist';
import { buildModel, ServingModel, toInputTensor } from '#fmnist/tensorflow';
import type { LoadedModel } from '../models/loaded-models.service.js';
import { ClassificationFailure } from './classification-failure.js';
import { InferenceService } from './inference.service.js';

function randomImage(seed: number): Uint8Array {
  return Uint8Array.from(
    { length: IMAGE_PIXELS },
    (_, index) => (index * 31 + seed * 17) % 256,
  );
}

describe('InferenceService', () => {
  let loaded: LoadedModel;
  const histogram = (name: string) =>
    new Histogram({ name, help: name, registers: [] });
  const service = new InferenceService(
    histogram('batch_images'),
    histogram('inference_seconds'),
  );

  before(async () => {
    loaded = {
      ref: { name: 'untrained', version: 1 },
      model: await ServingModel.of(buildModel('prototype-cnn')),
    };
  });
  after(() => loaded.model.dispose());

  it('gives each request the probabilities the model gives for its images', async () => {
    const images = [randomImage(1), randomImage(2), randomImage(3)];
    const inference = await service.classify(loaded, images);
    const flat = new Uint8Array(images.length * IMAGE_PIXELS);
    images.forEach((image, index) => flat.set(image, index * IMAGE_PIXELS));
    const direct = tf.tidy(() =>
      (
        loaded.model.layersModel.predict(
          toInputTensor(flat, images.length),
        ) as tf.Tensor2D
      ).arraySync(),
    );
    assert.equal(inference.probabilities.length, 3);
    inference.probabilities.forEach((row, index) =>
      row.forEach((value, label) =>
        assert.ok(Math.abs(value - direct[index][label]) < 1e-5),
      ),
    );
  });

  it('classifies requests that arrive together in one model call', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        service.classify(loaded, [
          randomImage(index),
          randomImage(index + 100),
        ]),
      ),
    );
    assert.ok(results.every((result) => result.batchImages === 16));
    assert.ok(results.every((result) => result.probabilities.length === 2));
  });

  it('drops the requests whose deadline has passed before the model call, and batches the others', async () => {
    const [first, late, last] = await Promise.allSettled([
      service.classify(loaded, [randomImage(1)], Date.now() + 60_000),
      service.classify(loaded, [randomImage(2)], Date.now() - 1),
      service.classify(loaded, [randomImage(3)]),
    ]);
    assert.equal(late.status, 'rejected');
    assert.ok(late.reason instanceof ClassificationFailure);
    assert.equal(late.reason.code, ClassificationErrorCode.deadlineExceeded);
    for (const outcome of [first, last]) {
      assert.equal(outcome.status, 'fulfilled');
      assert.equal(outcome.value.batchImages, 2);
    }
  });

  it('leaves no tensor behind, however many requests it serves', async () => {
    await service.classify(loaded, [randomImage(0)]);
    const before = tf.memory().numTensors;
    for (let round = 0; round < 20; round++) {
      await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          service.classify(loaded, [randomImage(index)]),
        ),
      );
    }
    assert.equal(tf.memory().numTensors, before);
  });
});
