import { crc32 } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';
import { IMAGE_SIZE, loadFashionMnist } from '#fmnist';

export const FMNIST_DIR =
  process.env.FMNIST_DIR ?? '/usr/share/datasets/fashion-mnist';

export interface TestImage {
  index: number;
  label: number;
  pixels: Uint8Array;
}

/** The first `count` images of the official test split. */
export async function officialTestImages(count: number): Promise<TestImage[]> {
  const test = await loadFashionMnist(FMNIST_DIR, 'test');
  return Array.from({ length: Math.min(count, test.count) }, (_, index) => ({
    index,
    label: test.labels[index],
    pixels: test.images.slice(
      index * IMAGE_SIZE * IMAGE_SIZE,
      (index + 1) * IMAGE_SIZE * IMAGE_SIZE,
    ),
  }));
}

/**
 * The item as a photo of it would look: dark on a white background, 300x400 RGB, with margins that
 * are not square, so preprocessing must invert, trim and fit it. Encode it as wanted.
 */
export function photoLike(pixels: Uint8Array): Sharp {
  const inverted = Buffer.from(pixels.map((value) => 255 - value));
  return sharp(inverted, {
    raw: { width: IMAGE_SIZE, height: IMAGE_SIZE, channels: 1 },
  })
    .resize(240, 240, { kernel: 'cubic' })
    .extend({ top: 90, bottom: 70, left: 25, right: 35, background: '#ffffff' })
    .toColourspace('srgb');
}

/** `photoLike`, JPEG-compressed. */
export function photoLikeJpeg(pixels: Uint8Array): Promise<Buffer> {
  return photoLike(pixels).jpeg({ quality: 90 }).toBuffer();
}

/** An animated GIF showing the 28x28 items one after the other. */
export function animatedGif(frames: Uint8Array[]): Promise<Buffer> {
  return sharp(Buffer.concat(frames), {
    raw: {
      width: IMAGE_SIZE,
      height: IMAGE_SIZE * frames.length,
      channels: 1,
      pageHeight: IMAGE_SIZE,
    },
  })
    .gif({ delay: 500 })
    .toBuffer();
}

/**
 * A decompression bomb's header: a real, small PNG whose header is rewritten to declare
 * `width` x `height` pixels, so a decoder that believed it would allocate them all.
 */
export async function pngDeclaring(
  width: number,
  height: number,
): Promise<Buffer> {
  const png = await sharp({
    create: { width: 16, height: 16, channels: 3, background: '#000000' },
  })
    .png()
    .toBuffer();
  // Signature (8 bytes), then the IHDR chunk: length (4), type (4), width, height, ..., CRC.
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}
