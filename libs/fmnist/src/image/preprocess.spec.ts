import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import {
  FMNIST_DIR,
  asProductPhoto,
  imageAt,
  meanAbsoluteDifference,
} from '../../test/support/dataset.js';
import { loadFashionMnist } from '../dataset/idx.js';
import { seededRandom } from '../dataset/seeded-random.js';
import {
  ImageDecodeError,
  type ImageDecodeReason,
} from './image-decode-error.js';
import type { LabelledImages } from './image-format.js';
import { encodePng } from '../dataset/png-export.js';
import { preprocessImage, readImageHeader } from './preprocess.js';

const raw = (
  pixels: Uint8Array,
  width = 28,
  height = 28,
  channels: 1 | 3 | 4 = 1,
) => sharp(pixels, { raw: { width, height, channels } });

/** A PNG whose header announces `width` x `height` pixels, with almost no data behind it. */
function pngClaiming(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const framing = Buffer.alloc(8);
    framing.writeUInt32BE(data.length, 0);
    framing.writeUInt32BE(crc32(body), 4);
    return Buffer.concat([framing.subarray(0, 4), body, framing.subarray(4)]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // 8-bit grayscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.alloc(1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('preprocessImage', () => {
  let test: LabelledImages;
  before(async () => {
    test = await loadFashionMnist(FMNIST_DIR, 'test');
  });
  const sample = [0, 1, 2, 3, 4, 5, 17, 42, 999, 5000, 9999];

  it('gives back the exact bytes of a dataset image exported as PNG', async () => {
    for (const index of sample) {
      const original = imageAt(test.images, index);
      const { pixels, source } = await preprocessImage(
        await encodePng(original),
      );
      assert.deepEqual(source, { format: 'png', width: 28, height: 28 });
      assert.deepEqual(pixels, original, `test image ${index}`);
    }
  });

  it('inverts a 28x28 image drawn dark on white', async () => {
    const original = imageAt(test.images, 0);
    const negative = original.map((value) => 255 - value);
    const { pixels } = await preprocessImage(await encodePng(negative));
    assert.deepEqual(pixels, original);
  });

  it('flattens transparency onto white before deciding what is background', async () => {
    const original = imageAt(test.images, 1);
    // A dark cut-out of the item on a fully transparent background.
    const rgba = new Uint8Array(28 * 28 * 4);
    original.forEach((value, i) =>
      rgba.set(
        [255 - value, 255 - value, 255 - value, value > 0 ? 255 : 0],
        i * 4,
      ),
    );
    const { pixels } = await preprocessImage(
      await raw(rgba, 28, 28, 4).png().toBuffer(),
    );
    assert.deepEqual(pixels, original);
  });

  it('brings a 300x400 product photo on white close to the dataset image', async () => {
    // Measured over these 100 images: mean 9.7 grey levels, worst 33 (a pixel shift on textures).
    const differences: number[] = [];
    for (let index = 0; index < 100; index++) {
      const original = imageAt(test.images, index);
      const { pixels, source } = await preprocessImage(
        await asProductPhoto(original),
      );
      assert.deepEqual(source, { format: 'jpeg', width: 300, height: 400 });
      differences.push(meanAbsoluteDifference(pixels, original));
    }
    const mean =
      differences.reduce((sum, d) => sum + d, 0) / differences.length;
    assert.ok(mean < 14, `mean absolute difference ${mean.toFixed(1)}`);
    assert.ok(
      Math.max(...differences) < 45,
      `worst ${Math.max(...differences).toFixed(1)}`,
    );
  });

  it('decodes WebP, GIF, TIFF and AVIF the same way', async () => {
    const original = imageAt(test.images, 3);
    const photo = sharp(await asProductPhoto(original));
    const encoded = {
      webp: await photo.clone().webp({ lossless: true }).toBuffer(),
      gif: await photo.clone().gif().toBuffer(),
      tiff: await photo.clone().tiff().toBuffer(),
      heif: await photo.clone().avif({ quality: 90 }).toBuffer(),
    };
    for (const [format, input] of Object.entries(encoded)) {
      const { pixels, source } = await preprocessImage(input);
      assert.deepEqual(source, { format, width: 300, height: 400 });
      const difference = meanAbsoluteDifference(pixels, original);
      assert.ok(difference < 20, `${format}: ${difference.toFixed(1)}`);
    }
  });

  it('takes the first frame of an animated GIF', async () => {
    const original = imageAt(test.images, 5);
    const other = imageAt(test.images, 6);
    // Colour frames: sharp cannot join grayscale frames into an animation.
    const frames = await Promise.all(
      [original, other].map((pixels) =>
        raw(pixels).toColourspace('srgb').png().toBuffer(),
      ),
    );
    const gif = await sharp(frames, { join: { animated: true } })
      .gif()
      .toBuffer();
    assert.equal((await sharp(gif).metadata()).pages, 2);
    const { pixels } = await preprocessImage(gif);
    assert.deepEqual(pixels, original);
  });

  it('applies the EXIF orientation', async () => {
    const original = imageAt(test.images, 7);
    // Stored turned a quarter to the left, with the tag saying to turn it right to display.
    const stored = await raw(original)
      .rotate(-90)
      .jpeg({ quality: 100 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const turned = await raw(original)
      .rotate(-90)
      .toColourspace('b-w')
      .raw()
      .toBuffer();
    assert.ok(meanAbsoluteDifference(turned, original) > 20);
    const { pixels } = await preprocessImage(stored);
    assert.ok(meanAbsoluteDifference(pixels, original) < 3);
  });

  it('reads the pixels as stored, whatever colour profile is embedded', async () => {
    const photo = await asProductPhoto(imageAt(test.images, 8));
    // Coloured: Display P3 and sRGB share their greys.
    const tagged = await sharp(photo)
      .tint('#c03020')
      .withIccProfile('p3')
      .png()
      .toBuffer();
    const untagged = await sharp(tagged, { ignoreIcc: true }).png().toBuffer();
    assert.equal((await sharp(tagged).metadata()).hasProfile, true);
    assert.equal((await sharp(untagged).metadata()).hasProfile, false);
    assert.deepEqual(
      (await preprocessImage(tagged)).pixels,
      (await preprocessImage(untagged)).pixels,
    );
  });

  it('reports the size of the upload as displayed, however large', async () => {
    const stored = await sharp({
      create: { width: 1600, height: 1000, channels: 3, background: '#fff' },
    })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const { source } = await preprocessImage(stored);
    assert.deepEqual(source, { format: 'jpeg', width: 1000, height: 1600 });
  });

  it('fits an item into 28x28 keeping its aspect ratio, centred on black', async () => {
    // A light 200x50 bar on a black 400x300 canvas becomes 28x7, rows 11-17.
    const { pixels } = await preprocessImage(
      await sharp({
        create: { width: 400, height: 300, channels: 3, background: '#000' },
      })
        .composite([
          {
            input: {
              create: {
                width: 200,
                height: 50,
                channels: 3,
                background: '#ccc',
              },
            },
            left: 150,
            top: 20,
          },
        ])
        .png()
        .toBuffer(),
    );
    const litRows = [...Array(28).keys()].filter((y) =>
      pixels.subarray(y * 28, y * 28 + 28).some((value) => value > 100),
    );
    assert.deepEqual(litRows, [11, 12, 13, 14, 15, 16, 17]);
    assert.ok(pixels.subarray(14 * 28, 15 * 28).every((value) => value > 150));
  });

  it('turns a blank white page into a black image', async () => {
    const page = await sharp({
      create: { width: 640, height: 480, channels: 3, background: '#fff' },
    })
      .jpeg()
      .toBuffer();
    const { pixels } = await preprocessImage(page);
    assert.ok(pixels.every((value) => value === 0));
  });

  describe('rejects what is not an image it accepts', () => {
    const rejects = async (input: Buffer, reason: ImageDecodeReason) => {
      await assert.rejects(preprocessImage(input), (error) => {
        assert.ok(error instanceof ImageDecodeError, String(error));
        assert.equal(error.reason, reason, error.message);
        assert.ok(error.message.length > 0);
        return true;
      });
    };

    it('an empty file', () => rejects(Buffer.alloc(0), 'empty'));

    it('garbage bytes', () =>
      rejects(
        Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)),
        'unsupported-format',
      ));

    it('a text file named .png', () =>
      rejects(Buffer.from('name,label\nshirt.jpg,6\n'), 'unsupported-format'));

    it('an SVG, which sharp could render but uploads have no use for', async () => {
      const svg = Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>',
      );
      await rejects(svg, 'unsupported-format');
      // Not even parsed: the decoders of refused formats are blocked in the whole process.
      await assert.rejects(sharp(svg).metadata(), /unsupported image format/);
    });

    it('a truncated PNG', async () => {
      const png = await raw(imageAt(test.images, 0)).png().toBuffer();
      await rejects(png.subarray(0, png.length - 40), 'corrupt');
    });

    it('a truncated JPEG', async () => {
      const jpeg = await asProductPhoto(imageAt(test.images, 0));
      await rejects(jpeg.subarray(0, jpeg.length >> 1), 'corrupt');
    });

    it('an image over the pixel cap, from its header, naming the cap', async () => {
      const photo = await asProductPhoto(imageAt(test.images, 0));
      await assert.rejects(
        preprocessImage(photo, { maxPixels: 100_000 }),
        (error) => {
          assert.ok(error instanceof ImageDecodeError);
          assert.equal(error.reason, 'too-large');
          assert.match(error.message, /300x400 pixels, more than the 100000/);
          return true;
        },
      );
      const header = await readImageHeader(photo, { maxPixels: 120_000 });
      assert.deepEqual(header, { format: 'jpeg', width: 300, height: 400 });
    });

    it('photos with random bytes changed: each preprocessed or refused as undecodable, none crashing the process', async () => {
      const random = seededRandom(15);
      const original = imageAt(test.images, 12);
      const photo = sharp(await asProductPhoto(original)).withMetadata({
        orientation: 6,
      });
      const files = [
        await photo.clone().jpeg().toBuffer(),
        await photo.clone().png().toBuffer(),
        await photo.clone().webp().toBuffer(),
        await photo.clone().tiff().toBuffer(),
      ];
      const outcomes = { preprocessed: 0, refused: 0 };
      for (let round = 0; round < 1000; round++) {
        const damaged = Buffer.from(files[round % files.length]);
        for (let change = 0; change < 1 + (round % 8); change++) {
          damaged[Math.floor(random() * damaged.length)] = Math.floor(
            random() * 256,
          );
        }
        try {
          const { pixels } = await preprocessImage(damaged);
          assert.equal(pixels.length, 784);
          outcomes.preprocessed++;
        } catch (error) {
          assert.ok(error instanceof ImageDecodeError, String(error));
          outcomes.refused++;
        }
      }
      // Most damage lands in compressed pixels, which decoders cannot all tell from an image.
      assert.ok(outcomes.preprocessed > 100 && outcomes.refused > 100);
    });

    it('a small file announcing 100000x100000 pixels, at once', async () => {
      const started = performance.now();
      await rejects(pngClaiming(100_000, 100_000), 'too-large');
      assert.ok(performance.now() - started < 1000);
    });
  });
});
