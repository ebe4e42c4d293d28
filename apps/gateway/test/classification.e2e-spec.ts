import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-node';
import { encodePng, LABELS, preprocessImage } from '#fmnist';
import { deserializeModel, toInputTensor } from '#fmnist/tensorflow';
import type { AppProcess } from '#testing/test-apps';
import {
  startClassificationStack,
  type ClassificationStack,
} from '#testing/classification-stack';
import {
  officialTestImages,
  photoLikeJpeg,
  type TestImage,
} from '#testing/fixture-images';

interface Result {
  label: string;
  labelIndex: number;
  probabilities: Record<string, number>;
  model: { name: string; version: number };
  timings: {
    queueMs: number;
    inferenceMs: number;
    batchImages: number;
    totalMs: number;
  };
  source: string;
}

describe('classification through the gateway, Kafka and a classifier', () => {
  let stack: ClassificationStack;
  let modelName: string;
  let reference: tf.LayersModel;
  let gateway: AppProcess;
  let images: TestImage[];

  /** What the same model says in this process about the same 784 bytes. */
  const expected = (pixels: Uint8Array[]) =>
    tf.tidy(() => {
      const flat = new Uint8Array(pixels.length * 784);
      pixels.forEach((image, index) => flat.set(image, index * 784));
      return (
        reference.predict(toInputTensor(flat, pixels.length)) as tf.Tensor2D
      ).arraySync();
    });

  const upload = async (form: FormData, query = '') => {
    const response = await fetch(`${gateway.url}/v1/classifications${query}`, {
      method: 'POST',
      body: form,
    });
    return {
      status: response.status,
      body: (await response.json()) as { results: Result[]; message: string },
    };
  };

  const fileForm = async (image: TestImage, field = 'file') => {
    const form = new FormData();
    form.append(
      field,
      new Blob([await encodePng(image.pixels)], { type: 'image/png' }),
      `test-${image.index}.png`,
    );
    return form;
  };

  before(async () => {
    [stack, images] = await Promise.all([
      startClassificationStack({ prefix: 'e2e', versions: 2 }),
      officialTestImages(64),
    ]);
    ({ modelName, gateway } = stack);
    reference = await deserializeModel(stack.artifacts);
  });

  after(async () => {
    await stack?.stop();
    reference?.dispose();
  });

  it('answers a Fashion-MNIST test image with the label and probabilities the model gives', async () => {
    const image = images[0];
    const { status, body } = await upload(await fileForm(image));
    assert.equal(status, 200, body.message);
    const [result] = body.results;
    const [probabilities] = expected([image.pixels]);
    assert.equal(
      result.labelIndex,
      probabilities.indexOf(Math.max(...probabilities)),
    );
    assert.equal(
      result.labelIndex,
      image.label,
      'the first test image is an easy ankle boot',
    );
    assert.equal(result.label, LABELS[image.label].name);
    assert.deepEqual(
      Object.keys(result.probabilities),
      LABELS.map((label) => label.name),
    );
    LABELS.forEach((label) =>
      assert.ok(
        Math.abs(
          result.probabilities[label.name] - probabilities[label.index],
        ) < 1e-5,
      ),
    );
    assert.deepEqual(result.model, { name: modelName, version: 1 });
    assert.equal(result.source, 'test-0.png');
    assert.ok(result.timings.totalMs >= result.timings.inferenceMs);
  });

  it('classifies 32 images of one request together, in upload order', async () => {
    const batch = images.slice(0, 32);
    const form = new FormData();
    for (const image of batch) {
      form.append(
        'files',
        new Blob([await encodePng(image.pixels)], { type: 'image/png' }),
        `test-${image.index}.png`,
      );
    }
    const { status, body } = await upload(form);
    assert.equal(status, 200, body.message);
    assert.equal(body.results.length, 32);
    const predictions = expected(batch.map((image) => image.pixels));
    body.results.forEach((result, index) => {
      assert.equal(result.source, `test-${index}.png`);
      assert.equal(
        result.labelIndex,
        predictions[index].indexOf(Math.max(...predictions[index])),
      );
    });
    assert.ok(body.results[0].timings.batchImages >= 32);
    const correct = body.results.filter(
      (result, index) => result.labelIndex === batch[index].label,
    ).length;
    assert.ok(correct >= 24, `only ${correct} of 32 right`);
  });

  it('takes a photo-like JPEG and fits it the way the model expects', async () => {
    const image =
      images.find((candidate) => LABELS[candidate.label].slug === 'trouser') ??
      images[0];
    const jpeg = await photoLikeJpeg(image.pixels);
    const form = new FormData();
    form.append('file', new Blob([jpeg], { type: 'image/jpeg' }), 'photo.jpg');
    const { status, body } = await upload(form);
    assert.equal(status, 200, body.message);
    const [probabilities] = expected([(await preprocessImage(jpeg)).pixels]);
    assert.equal(
      body.results[0].labelIndex,
      probabilities.indexOf(Math.max(...probabilities)),
    );
    assert.equal(body.results[0].labelIndex, image.label);
  });

  it('accepts the image as the raw request body', async () => {
    const response = await fetch(`${gateway.url}/v1/classifications`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: await encodePng(images[1].pixels),
    });
    const body = (await response.json()) as { results: Result[] };
    assert.equal(response.status, 200);
    assert.equal(body.results[0].source, 'body');
    assert.equal(body.results[0].labelIndex, images[1].label);
  });

  it('serves the version the model parameter names, and the newest for a bare name', async () => {
    const named = await upload(
      await fileForm(images[2]),
      `?model=${modelName}:2`,
    );
    assert.equal(named.status, 200, named.body.message);
    assert.deepEqual(named.body.results[0].model, {
      name: modelName,
      version: 2,
    });
    const newest = await upload(
      await fileForm(images[2]),
      `?model=${modelName}`,
    );
    assert.deepEqual(newest.body.results[0].model, {
      name: modelName,
      version: 2,
    });
  });

  it('answers 404 for a model that does not exist and 400 for a malformed parameter', async () => {
    const unknown = await upload(
      await fileForm(images[0]),
      `?model=${modelName}:99`,
    );
    assert.equal(unknown.status, 404, unknown.body.message);
    assert.match(unknown.body.message, /unknown model/);
    const malformed = await upload(await fileForm(images[0]), '?model=a%20b');
    assert.equal(malformed.status, 400);
    assert.match(
      JSON.stringify(malformed.body.message),
      /model must be a model name/,
    );
  });

  it('answers 400 for a version no number holds exactly, before anything reaches Kafka', async () => {
    for (const version of [
      '9007199254740992',
      '9007199254740993',
      '1'.repeat(40),
    ]) {
      const big = await upload(
        await fileForm(images[0]),
        `?model=${modelName}:${version}`,
      );
      assert.equal(big.status, 400, version);
      assert.match(
        JSON.stringify(big.body.message),
        /version in model must be a whole number from 1 to 9007199254740991|model must be a model name/,
      );
    }
    const largest = await upload(
      await fileForm(images[0]),
      `?model=${modelName}:9007199254740991`,
    );
    assert.equal(largest.status, 404, largest.body.message);
  });

  it('lists the labels and the models the classifiers can serve', async () => {
    const labels = (await (await fetch(`${gateway.url}/v1/labels`)).json()) as {
      slug: string;
    }[];
    assert.equal(labels.length, 10);
    assert.equal(labels[9].slug, 'ankle-boot');
    const models = (await (await fetch(`${gateway.url}/v1/models`)).json()) as {
      name: string;
      version: number;
      active: boolean;
    }[];
    const ours = models.filter((model) => model.name === modelName);
    assert.deepEqual(
      ours.map(({ version, active }) => ({ version, active })),
      [
        { version: 1, active: true },
        { version: 2, active: false },
      ],
    );
  });
});
