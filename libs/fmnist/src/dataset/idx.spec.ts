import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { FMNIST_DIR } from '../../test/support/dataset.js';
import {
  DatasetNotFoundError,
  IdxFormatError,
  fashionMnistFiles,
  loadFashionMnist,
} from './idx.js';
import { NUM_CLASSES } from '../labels.js';

const histogram = (labels: Uint8Array) =>
  labels.reduce((counts, label) => {
    counts[label]++;
    return counts;
  }, new Array<number>(NUM_CLASSES).fill(0));

describe('loadFashionMnist on the official files', () => {
  it('reads 60,000 training images of 28x28, 6,000 of each class', async () => {
    const train = await loadFashionMnist(FMNIST_DIR, 'train');
    assert.equal(train.count, 60_000);
    assert.equal(train.images.length, 60_000 * 28 * 28);
    assert.deepEqual(histogram(train.labels), new Array(10).fill(6_000));
  });

  it('reads the 10,000 t10k images as the test split, 1,000 of each class', async () => {
    const test = await loadFashionMnist(FMNIST_DIR, 'test');
    assert.equal(test.count, 10_000);
    assert.equal(test.images.length, 10_000 * 28 * 28);
    assert.deepEqual(histogram(test.labels), new Array(10).fill(1_000));
    // The first test image is an ankle boot, as in every Fashion-MNIST tutorial.
    assert.equal(test.labels[0], 9);
  });
});

describe('loadFashionMnist on damaged files', () => {
  const files = fashionMnistFiles('test');
  let dir: string;
  let images: Buffer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fmnist-idx-'));
    images = gunzipSync(await readFile(join(FMNIST_DIR, files.images)));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** The official labels beside the given images file. */
  const copyWithImages = async (data: Buffer) => {
    await copyFile(join(FMNIST_DIR, files.labels), join(dir, files.labels));
    await writeFile(join(dir, files.images), data);
  };

  it('names the file and says it is cut short when the gzip stream ends early', async () => {
    const gz = await readFile(join(FMNIST_DIR, files.images));
    await copyWithImages(gz.subarray(0, gz.length / 2));
    await assert.rejects(loadFashionMnist(dir, 'test'), (error) => {
      assert.ok(error instanceof IdxFormatError);
      assert.equal(error.file, join(dir, files.images));
      assert.match(error.message, /truncated/);
      return true;
    });
  });

  it('says how many bytes are missing when the images themselves are truncated', async () => {
    await copyWithImages(gzipSync(images.subarray(0, 16 + 784 * 100)));
    await assert.rejects(loadFashionMnist(dir, 'test'), (error) => {
      assert.ok(error instanceof IdxFormatError);
      assert.match(
        error.message,
        new RegExp(
          `${16 + 784 * 100} bytes where the header announces ${16 + 784 * 10_000} \\(truncated\\)`,
        ),
      );
      return true;
    });
  });

  it('rejects a file with the wrong magic number, such as a label file', async () => {
    const labels = await readFile(join(FMNIST_DIR, files.labels));
    await copyWithImages(labels);
    await assert.rejects(
      loadFashionMnist(dir, 'test'),
      (error) =>
        error instanceof IdxFormatError &&
        /magic number 0x00000801 where 0x00000803 was expected/.test(
          error.message,
        ),
    );
  });

  it('rejects images of another size', async () => {
    const wide = Buffer.from(images);
    wide.writeUInt32BE(32, 12);
    await copyWithImages(gzipSync(wide));
    await assert.rejects(loadFashionMnist(dir, 'test'), /28x32 where 28x28/);
  });

  it('rejects labels that do not match the images in number', async () => {
    await copyWithImages(
      gzipSync(
        Buffer.concat([
          Buffer.from([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 28]),
          images.subarray(16, 16 + 784),
        ]),
      ),
    );
    await assert.rejects(
      loadFashionMnist(dir, 'test'),
      /10000 labels for the 1 images/,
    );
  });

  it('tells where to get the dataset when the folder does not hold it', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'fmnist-empty-'));
    try {
      await assert.rejects(loadFashionMnist(empty, 'train'), (error) => {
        assert.ok(error instanceof DatasetNotFoundError);
        assert.match(error.message, new RegExp(empty));
        assert.match(error.message, /FMNIST_DIR/);
        assert.match(error.message, /dataset-fashion-mnist/);
        return true;
      });
    } finally {
      await rm(empty, { recursive: true });
    }
  });
});
