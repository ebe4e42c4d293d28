import sharp from 'sharp';
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
 * The item as a photo of it would look: dark on a white background, 300x400 RGB, JPEG-compressed,
 * with margins that are not square, so preprocessing must invert, trim and fit it.
 */
export function photoLikeJpeg(pixels: Uint8Array): Promise<Buffer> {
  const inverted = Buffer.from(pixels.map((value) => 255 - value));
  return sharp(inverted, {
    raw: { width: IMAGE_SIZE, height: IMAGE_SIZE, channels: 1 },
  })
    .resize(240, 240, { kernel: 'cubic' })
    .extend({ top: 90, bottom: 70, left: 25, right: 35, background: '#ffffff' })
    .toColourspace('srgb')
    .jpeg({ quality: 90 })
    .toBuffer();
}
