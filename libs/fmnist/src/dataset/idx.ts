import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { IMAGE_SIZE, type LabelledImages } from '../image/image-format.js';
import { NUM_CLASSES } from '../labels.js';

const gunzipAsync = promisify(gunzip);

const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;
const IMAGES_HEADER_BYTES = 16;
const LABELS_HEADER_BYTES = 8;

export type FashionMnistSplit = 'train' | 'test';

/** An IDX file that is not what the official Fashion-MNIST files are; names the file. */
export class IdxFormatError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'IdxFormatError';
  }
}

/** The dataset's files are not where they were looked for. */
export class DatasetNotFoundError extends Error {
  constructor(
    readonly dir: string,
    readonly file: string,
  ) {
    super(
      `Fashion-MNIST file ${file} not found in ${dir}: set FMNIST_DIR to the folder holding the ` +
        `four official *-ubyte.gz files, or install the Debian package dataset-fashion-mnist`,
    );
    this.name = 'DatasetNotFoundError';
  }
}

const filePrefix = (split: FashionMnistSplit) =>
  split === 'train' ? 'train' : 't10k';

/** The official files of a split (`test` is the `t10k-*` pair). */
export function fashionMnistFiles(split: FashionMnistSplit) {
  return {
    images: `${filePrefix(split)}-images-idx3-ubyte.gz`,
    labels: `${filePrefix(split)}-labels-idx1-ubyte.gz`,
  };
}

async function gunzipFile(dir: string, name: string): Promise<Buffer> {
  const file = join(dir, name);
  let compressed: Buffer;
  try {
    compressed = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new DatasetNotFoundError(dir, name);
    }
    throw error;
  }
  try {
    return await gunzipAsync(compressed);
  } catch (error) {
    throw new IdxFormatError(
      file,
      `not a complete gzip stream, the file is truncated or damaged (${(error as Error).message})`,
    );
  }
}

function checkHeader(
  file: string,
  data: Buffer,
  headerBytes: number,
  magic: number,
) {
  if (data.length < headerBytes) {
    throw new IdxFormatError(
      file,
      `${data.length} bytes is shorter than the ${headerBytes}-byte IDX header`,
    );
  }
  const found = data.readUInt32BE(0);
  if (found !== magic) {
    throw new IdxFormatError(
      file,
      `magic number 0x${found.toString(16).padStart(8, '0')} where 0x${magic.toString(16).padStart(8, '0')} was expected`,
    );
  }
}

function checkLength(file: string, data: Buffer, expected: number) {
  if (data.length !== expected) {
    throw new IdxFormatError(
      file,
      `${data.length} bytes where the header announces ${expected}` +
        (data.length < expected ? ' (truncated)' : ''),
    );
  }
}

/** Reads an `idx3-ubyte.gz` file of 28x28 images. */
export async function readIdxImages(
  dir: string,
  name: string,
): Promise<{ images: Uint8Array; count: number }> {
  const file = join(dir, name);
  const data = await gunzipFile(dir, name);
  checkHeader(file, data, IMAGES_HEADER_BYTES, IMAGES_MAGIC);
  const count = data.readUInt32BE(4);
  const rows = data.readUInt32BE(8);
  const columns = data.readUInt32BE(12);
  if (rows !== IMAGE_SIZE || columns !== IMAGE_SIZE) {
    throw new IdxFormatError(
      file,
      `images are ${rows}x${columns} where ${IMAGE_SIZE}x${IMAGE_SIZE} was expected`,
    );
  }
  checkLength(file, data, IMAGES_HEADER_BYTES + count * rows * columns);
  // A copy of its own, so callers can hand its buffer to a worker thread.
  return { images: new Uint8Array(data.subarray(IMAGES_HEADER_BYTES)), count };
}

/** Reads an `idx1-ubyte.gz` file of class indices. */
export async function readIdxLabels(
  dir: string,
  name: string,
): Promise<Uint8Array> {
  const file = join(dir, name);
  const data = await gunzipFile(dir, name);
  checkHeader(file, data, LABELS_HEADER_BYTES, LABELS_MAGIC);
  checkLength(file, data, LABELS_HEADER_BYTES + data.readUInt32BE(4));
  const labels = new Uint8Array(data.subarray(LABELS_HEADER_BYTES));
  const invalid = labels.findIndex((label) => label >= NUM_CLASSES);
  if (invalid >= 0) {
    throw new IdxFormatError(
      file,
      `label ${labels[invalid]} at position ${invalid} is not a class index 0-${NUM_CLASSES - 1}`,
    );
  }
  return labels;
}

/** Loads one split of the official Fashion-MNIST files from `dir` (apps pass FMNIST_DIR). */
export async function loadFashionMnist(
  dir: string,
  split: FashionMnistSplit,
): Promise<LabelledImages> {
  const files = fashionMnistFiles(split);
  const [{ images, count }, labels] = await Promise.all([
    readIdxImages(dir, files.images),
    readIdxLabels(dir, files.labels),
  ]);
  if (labels.length !== count) {
    throw new IdxFormatError(
      join(dir, files.labels),
      `${labels.length} labels for the ${count} images of ${files.images}`,
    );
  }
  return { images, labels, count };
}
