import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import sharp, { type Sharp } from 'sharp';
import {
  FMNIST_DIR,
  asProductPhoto,
  imageAt,
} from '../../test/support/dataset.js';
import { loadFashionMnist } from '../dataset/idx.js';
import { toGray, type GrayImage } from './gray-image.js';
import { decodeWithImageRs } from './image-rs-decode.js';
import { readImageHeader } from './preprocess.js';

/** What libvips decodes, oriented as displayed and turned grey as preprocessing does. */
async function libvipsGray(input: Buffer): Promise<GrayImage> {
  const { data, info } = await sharp(input, { ignoreIcc: true })
    .autoOrient()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return toGray(new Uint8Array(data), info.width, info.height, info.channels);
}

async function imageRsGray(input: Buffer): Promise<GrayImage | undefined> {
  return (await decodeWithImageRs(input, await readImageHeader(input)))?.gray;
}

/** Each `factor` x `factor` block of `image` averaged into one pixel. */
function blockAverages(image: GrayImage, factor: number): GrayImage {
  const width = image.width / factor;
  const height = image.height / factor;
  const data = new Uint8Array(width * height);
  const sums = new Float64Array(width * height);
  image.data.forEach((value, i) => {
    const x = i % image.width;
    const y = Math.floor(i / image.width);
    sums[Math.floor(y / factor) * width + Math.floor(x / factor)] += value;
  });
  sums.forEach((sum, i) => (data[i] = Math.round(sum / factor ** 2)));
  return { data, width, height };
}

/**
 * Lossless formats decode to the same pixels. JPEG decoders may round differently, and image-rs
 * upsamples subsampled colour its own way: a grey level or two on a few pixels.
 */
function assertSamePixels(
  decoded: GrayImage | undefined,
  reference: GrayImage,
  format: string,
  what: string,
) {
  assert.ok(decoded, what);
  assert.deepEqual(
    [decoded.width, decoded.height],
    [reference.width, reference.height],
    what,
  );
  if (format !== 'jpeg') {
    assert.ok(Buffer.from(decoded.data).equals(reference.data), what);
    return;
  }
  let differing = 0;
  decoded.data.forEach((value, i) => {
    const difference = Math.abs(value - reference.data[i]);
    assert.ok(difference <= 2, `${what}: ${difference} grey levels apart`);
    if (difference > 0) differing++;
  });
  assert.ok(differing < 0.02 * decoded.data.length, `${what}: ${differing}`);
}

const ENCODERS: Record<string, (image: Sharp) => Sharp> = {
  png: (image) => image.png(),
  jpeg: (image) => image.jpeg({ quality: 90 }),
  webp: (image) => image.webp({ lossless: true }),
  tiff: (image) => image.tiff({ compression: 'deflate' }),
};

describe('decodeWithImageRs', () => {
  let photo: Buffer;
  before(async () => {
    const { images } = await loadFashionMnist(FMNIST_DIR, 'test');
    // In colour and 300x400, as a shop photographs an item.
    photo = await sharp(await asProductPhoto(imageAt(images, 11)))
      .tint('#3070c0')
      .png()
      .toBuffer();
  });

  it('gives the pixels libvips gives: PNG, WebP and TIFF exactly, JPEG within two grey levels', async () => {
    for (const channels of [3, 4] as const) {
      for (const [format, encode] of Object.entries(ENCODERS)) {
        if (format === 'jpeg' && channels === 4) continue;
        const source = sharp(photo);
        const input = await encode(
          channels === 4 ? source.ensureAlpha(0.6) : source,
        ).toBuffer();
        assertSamePixels(
          await imageRsGray(input),
          await libvipsGray(input),
          format,
          `${format} with ${channels} channels`,
        );
      }
    }
  });

  it('shows every EXIF orientation as libvips does: JPEG, TIFF, a PNG eXIf chunk, a WebP EXIF chunk', async () => {
    for (const [format, encode] of Object.entries(ENCODERS)) {
      for (let orientation = 1; orientation <= 8; orientation++) {
        const input = await encode(
          sharp(photo).withMetadata({ orientation }),
        ).toBuffer();
        assertSamePixels(
          await imageRsGray(input),
          await libvipsGray(input),
          format,
          `${format}, orientation ${orientation}`,
        );
      }
    }
  });

  it('reduces an image to the long side asked by averaging its areas, and reports it as displayed', async () => {
    for (const [format, encode] of Object.entries(ENCODERS)) {
      for (const orientation of [1, 6]) {
        // 300x400 stored: a quarter of it is 75x100, each pixel the mean of a 4x4 block.
        const input = await encode(
          sharp(photo)
            .ensureAlpha(format === 'jpeg' ? 1 : 0.6)
            .withMetadata({ orientation }),
        ).toBuffer();
        const decoded = await decodeWithImageRs(
          input,
          await readImageHeader(input),
          { longSide: 100 },
        );
        const what = `${format}, orientation ${orientation}`;
        assert.ok(decoded, what);
        assert.deepEqual(
          decoded.displayed,
          orientation === 6
            ? { width: 400, height: 300 }
            : { width: 300, height: 400 },
          what,
        );
        const expected = blockAverages(await libvipsGray(input), 4);
        assert.deepEqual(
          [decoded.gray.width, decoded.gray.height],
          [expected.width, expected.height],
          what,
        );
        decoded.gray.data.forEach((value, i) => {
          const difference = Math.abs(value - expected.data[i]);
          assert.ok(
            difference <= 2,
            `${what}: ${difference} grey levels apart`,
          );
        });
      }
    }
  });

  it('leaves to libvips a GIF, a 16-bit PNG and a JPEG cut short', async () => {
    const gif = await sharp(photo).gif().toBuffer();
    const deepPng = await sharp(photo).toColourspace('rgb16').png().toBuffer();
    const jpeg = await sharp(photo).jpeg().toBuffer();
    assert.equal((await sharp(deepPng).metadata()).depth, 'ushort');
    for (const input of [gif, deepPng, jpeg.subarray(0, jpeg.length - 100)]) {
      assert.equal(await imageRsGray(input), undefined);
    }
    assert.ok(await imageRsGray(jpeg));
  });
});
