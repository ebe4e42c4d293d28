import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  encodePng,
  IMAGE_PIXELS,
  ImageDecodeError,
  TENSOR_CONTENT_TYPE,
} from '#fmnist';
import { officialTestImages, photoLikeJpeg } from '#testing/fixture-images';
import { streamedImage } from './stream-input.js';

const tensorHeaders = { 'content-type': Buffer.from(TENSOR_CONTENT_TYPE) };

describe('streamedImage', () => {
  it('takes a value flagged as a tensor as the 28x28 image itself', async () => {
    const [image] = await officialTestImages(1);
    const pixels = await streamedImage(
      Buffer.from(image.pixels),
      tensorHeaders,
    );
    assert.deepEqual(Array.from(pixels), Array.from(image.pixels));
  });

  it('decodes an image file of any accepted format, whatever its header', async () => {
    const [image] = await officialTestImages(1);
    const png = await streamedImage(await encodePng(image.pixels), undefined);
    assert.deepEqual(Array.from(png), Array.from(image.pixels));
    const jpeg = await streamedImage(await photoLikeJpeg(image.pixels), {
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
