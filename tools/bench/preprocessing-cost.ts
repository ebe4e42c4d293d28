import { Transformer } from '@napi-rs/image';
import sharp from 'sharp';
import { DECODED_BY_IMAGE_RS, preprocessImage, SHRINKS_ON_LOAD } from '#fmnist';
import type { TestImage } from '../testing/fixture-images.js';
import {
  photoCorpus,
  type PhotoFormat,
  type PhotoRecipe,
} from '../testing/photo-corpus.js';

export interface PreprocessingCostRow {
  format: PhotoFormat;
  size: string;
  width: number;
  height: number;
  /** CPU ms per image, medians over the images of the row. */
  preprocessMs: number;
  /** libvips' whole decode. */
  rawDecodeMs: number;
  /** image-rs's whole decode, for the formats it decodes (all but GIF). */
  imageRsDecodeMs?: number;
  /** libvips' cheapest decode: shrunk on load to an eighth where it can (JPEG, WebP). */
  cheapestDecodeMs: number;
}

const SIZES = [
  { size: '300 px', longSide: 300 },
  { size: '1 MP', longSide: 1155 },
  { size: '4 MP', longSide: 2309 },
];
const FORMATS: PhotoFormat[] = ['jpeg', 'png', 'webp', 'gif', 'tiff'];

/**
 * CPU time of preprocessing photo-like uploads by format and size, beside what the codecs
 * themselves cost to decode the same files (libvips, and image-rs, which decodes small photos):
 * the floor preprocessing is held against. One image at a time,
 * so the process's CPU time is the image's, libvips' threads included.
 */
export async function preprocessingCost(
  images: TestImage[],
  rounds = 5,
): Promise<PreprocessingCostRow[]> {
  // V8 compiles preprocessing's hot loops only after some dozens of images (measured: a 300 px
  // JPEG 6.8 ms a call over its first 20, 1.4 ms after): a gateway that serves for hours is past it.
  const warmUp = await photoCorpus(images, { longSide: 300 });
  for (let round = 0; round < 10; round++) {
    for (const photo of warmUp) await preprocessImage(photo.bytes);
  }
  const rows: PreprocessingCostRow[] = [];
  for (const { size, longSide } of SIZES) {
    for (const format of FORMATS) {
      const recipe: Partial<PhotoRecipe> & { longSide: number } = {
        format,
        longSide,
        channels: 'rgb',
        orientation: 1,
      };
      const photos = await photoCorpus(images, recipe);
      const files = photos.map((photo) => photo.bytes);
      const { width, height } = photos[0];
      const cheapest = (file: Buffer) =>
        SHRINKS_ON_LOAD.has(format)
          ? sharp(file)
              .resize(Math.ceil(width / 8), Math.ceil(height / 8), {
                fit: 'fill',
              })
              .raw()
              .toBuffer()
          : sharp(file).raw().toBuffer();
      rows.push({
        format,
        size,
        width,
        height,
        preprocessMs: await cpuMsPerCall(files, preprocessImage, rounds),
        rawDecodeMs: await cpuMsPerCall(
          files,
          (file) => sharp(file).raw().toBuffer(),
          rounds,
        ),
        imageRsDecodeMs: DECODED_BY_IMAGE_RS.has(format)
          ? await cpuMsPerCall(
              files,
              (file) => new Transformer(file).rawPixels(),
              rounds,
            )
          : undefined,
        cheapestDecodeMs: await cpuMsPerCall(files, cheapest, rounds),
      });
    }
  }
  return rows;
}

/** Median over the files of the CPU time one call takes, each file `rounds` times after as many warm-up calls. */
async function cpuMsPerCall(
  files: Buffer[],
  call: (file: Buffer) => Promise<unknown>,
  rounds: number,
): Promise<number> {
  const perFile: number[] = [];
  for (const file of files) {
    for (let round = 0; round < rounds; round++) await call(file);
    const before = process.cpuUsage();
    for (let round = 0; round < rounds; round++) await call(file);
    const { user, system } = process.cpuUsage(before);
    perFile.push((user + system) / 1000 / rounds);
  }
  perFile.sort((a, b) => a - b);
  return perFile[perFile.length >> 1];
}
