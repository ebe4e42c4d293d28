import sharp from 'sharp';
import { IMAGE_PIXELS, IMAGE_SIZE } from '../../src/image/image-format.js';

/** Where the tests read the official files. */
export const FMNIST_DIR =
  process.env.FMNIST_DIR ?? '/usr/share/datasets/fashion-mnist';

/** Image `index` of a dataset's packed images. */
export const imageAt = (images: Uint8Array, index: number) =>
  images.subarray(index * IMAGE_PIXELS, (index + 1) * IMAGE_PIXELS);

/**
 * A dataset image the way a shop would photograph it: dark item on white, RGB, scaled up to
 * 280x280 and padded to 300x400, as a JPEG.
 */
export function asProductPhoto(pixels: Uint8Array): Promise<Buffer> {
  const rgb = Buffer.alloc(IMAGE_PIXELS * 3);
  pixels.forEach((value, i) => rgb.fill(255 - value, i * 3, i * 3 + 3));
  return sharp(rgb, {
    raw: { width: IMAGE_SIZE, height: IMAGE_SIZE, channels: 3 },
  })
    .resize(280, 280)
    .extend({ top: 60, bottom: 60, left: 10, right: 10, background: '#fff' })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** Mean absolute difference of two images, in grey levels. */
export function meanAbsoluteDifference(a: Uint8Array, b: Uint8Array) {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}
