import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TENSOR_CONTENT_TYPE } from '../contracts/stream.contract.js';
import { encodePng } from '../dataset/png-export.js';
import { ImageDecodeError } from './image-decode-error.js';
import { IMAGE_PIXELS } from './image-format.js';
import {
  asProductPhoto,
  FMNIST_DIR,
  imageAt,
} from '../../test/support/dataset.js';
import { loadFashionMnist } from '../dataset/idx.js';
import { streamedImage } from './streamed-image.js';

const tensorHeaders = { 'content-type': Buffer.from(TENSOR_CONTENT_TYPE) };

async function firstTestImage(): Promise<{ pixels: Uint8Array }> {
  const test = await loadFashionMnist(FMNIST_DIR, 'test');
  return { pixels: imageAt(test.images, 0).slice() };
}

describe('streamedImage', () => {
  it('takes a value flagged as a tensor as the 28x28 image itself', async () => {
    const image = await firstTestImage();
    const pixels = await streamedImage(
      Buffer.from(image.pixels),
      tensorHeaders,
    );
    assert.deepEqual(Array.from(pixels), Array.from(image.pixels));
  });

  it('decodes an image file of any accepted format, whatever its header', async () => {
    const image = await firstTestImage();
    const png = await streamedImage(await encodePng(image.pixels), undefined);
    assert.deepEqual(Array.from(png), Array.from(image.pixels));
    const jpeg = await streamedImage(await asProductPhoto(image.pixels), {
      'content-type': 'image/jpeg',
    });
    assert.equal(jpeg.length, IMAGE_PIXELS);
  });

  it('refuses a tensor of the wrong size, naming the size expected', async () => {
    await assert.rejects(
      streamedImage(Buffer.alloc(100), tensorHeaders),
      (error: unknown) =>
        error instanceof ImageDecodeError && /784 bytes/.test(error.message),
    );
  });

  it('refuses an empty value and bytes that are no image', async () => {
    await assert.rejects(streamedImage(null, undefined), ImageDecodeError);
    await assert.rejects(
      streamedImage(Buffer.from('not an image at all'), undefined),
      ImageDecodeError,
    );
  });
});
