import assert from 'node:assert/strict';
import { getPriority } from 'node:os';
import { after, before, describe, it } from 'node:test';
import {
  argMaxRows,
  encodePng,
  IMAGE_PIXELS,
  loadFashionMnist,
  ModelArtifactsSchema,
  TENSOR_CONTENT_TYPE,
  type ModelArtifacts,
} from '#fmnist';
import {
  buildModel,
  deserializeModel,
  predictProbabilities,
  serializeModel,
} from '#fmnist/tensorflow';
import { FMNIST_DIR } from '#testing/fixture-images';
import { ReplayWorkerProcess } from './replay-worker-process.js';
import { UNDECODABLE } from './worker/replay-protocol.js';

const COUNT = 40;

describe('ReplayWorkerProcess', () => {
  let worker: ReplayWorkerProcess;
  let artifacts: ModelArtifacts;
  let images: Uint8Array;
  let expected: Uint8Array;

  before(async () => {
    const test = await loadFashionMnist(FMNIST_DIR, 'test');
    images = test.images.slice(0, COUNT * IMAGE_PIXELS);
    const model = buildModel('seed-cnn');
    artifacts = ModelArtifactsSchema.parse(await serializeModel(model));
    model.dispose();
    const reloaded = await deserializeModel(artifacts);
    expected = argMaxRows(await predictProbabilities(reloaded, images, COUNT));
    reloaded.dispose();
    worker = new ReplayWorkerProcess();
    await worker.load(artifacts, 16);
  });

  after(() => worker?.kill());

  it('runs at the lowest scheduling priority, beside live traffic', () => {
    assert.equal(getPriority(worker.pid), 19);
  });

  it('answers what the model answers in-process, in calls of at most the batch size', async () => {
    const { labels, calls } = await worker.classify(images, COUNT);
    assert.deepEqual([...labels], [...expected]);
    assert.deepEqual(
      calls.map((call) => call.images),
      [16, 16, 8],
    );
  });

  it('decodes streamed values as the streaming path does, naming those it cannot', async () => {
    const first = images.subarray(0, IMAGE_PIXELS);
    const { labels } = await worker.classifyValues([
      { value: first, contentType: TENSOR_CONTENT_TYPE },
      { value: await encodePng(first) },
      { value: Buffer.from('no image') },
    ]);
    assert.deepEqual([...labels], [expected[0], expected[0], UNDECODABLE]);
  });

  it('fails what is asked of it once it is gone', async () => {
    const gone = new ReplayWorkerProcess();
    await gone.kill();
    await assert.rejects(gone.classify(images, 1), /exited/);
  });
});
