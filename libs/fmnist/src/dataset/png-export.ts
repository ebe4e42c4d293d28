import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import pMap from 'p-map';
import sharp from 'sharp';
import { type FashionMnistSplit, loadFashionMnist } from './idx.js';
import { IMAGE_PIXELS, IMAGE_SIZE } from '../image/image-format.js';
import { LABELS } from '../labels.js';

/** A 784-byte image as an 8-bit grayscale PNG. */
export function encodePng(pixels: Uint8Array): Promise<Buffer> {
  return sharp(pixels, {
    raw: { width: IMAGE_SIZE, height: IMAGE_SIZE, channels: 1 },
  })
    .toColourspace('b-w')
    .png()
    .toBuffer();
}

export interface PngExportOptions {
  /** Folder of the official files (FMNIST_DIR). */
  readonly dir: string;
  readonly out: string;
  readonly splits: readonly FashionMnistSplit[];
  /** Both splits into `<out>/all/<slug>/<split>-<index>.png` instead of a folder per split. */
  readonly merge?: boolean;
  /** Only the first images of each split. */
  readonly limit?: number;
  /** Images encoded and written at once. */
  readonly concurrency?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface PngExportResult {
  readonly total: number;
  readonly written: number;
  /** Already there from an earlier run. */
  readonly skipped: number;
}

/** Where an image of a split goes; the folder dataset reader reads `<out>/<split>` back. */
export function pngExportPath(
  out: string,
  split: FashionMnistSplit,
  label: number,
  index: number,
  merge = false,
): string {
  const slug = LABELS[label].slug;
  return merge
    ? join(out, 'all', slug, `${split}-${index}.png`)
    : join(out, split, slug, `${index}.png`);
}

/**
 * Writes the official images as PNGs laid out `<split>/<label-slug>/<index>.png`. Resumable: each
 * file is written under a temporary name and renamed, so a file that exists is complete and is
 * skipped on the next run.
 */
export async function exportPngs(
  options: PngExportOptions,
): Promise<PngExportResult> {
  const datasets = await Promise.all(
    options.splits.map(async (split) => {
      const dataset = await loadFashionMnist(options.dir, split);
      return { split, ...dataset };
    }),
  );
  const jobs = datasets.flatMap(({ split, labels, images, count }) =>
    Array.from(
      { length: Math.min(count, options.limit ?? count) },
      (_, index) => ({
        path: pngExportPath(
          options.out,
          split,
          labels[index],
          index,
          options.merge,
        ),
        pixels: images.subarray(
          index * IMAGE_PIXELS,
          (index + 1) * IMAGE_PIXELS,
        ),
      }),
    ),
  );
  const existing = await existingFiles(jobs.map((job) => job.path));

  let done = 0;
  let written = 0;
  await pMap(
    jobs,
    async ({ path, pixels }) => {
      if (!existing.has(path)) {
        const partial = join(dirname(path), `.${basename(path)}.partial`);
        await writeFile(partial, await encodePng(pixels));
        await rename(partial, path);
        written++;
      }
      options.onProgress?.(++done, jobs.length);
    },
    { concurrency: options.concurrency ?? 16 },
  );
  return { total: jobs.length, written, skipped: jobs.length - written };
}

/** Creates the destination folders and lists what they already hold, one read per folder. */
async function existingFiles(paths: readonly string[]): Promise<Set<string>> {
  const folders = new Set(paths.map((path) => dirname(path)));
  const existing = new Set<string>();
  for (const folder of folders) {
    await mkdir(folder, { recursive: true });
    for (const name of await readdir(folder)) existing.add(join(folder, name));
  }
  return existing;
}
