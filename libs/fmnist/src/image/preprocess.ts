import { decode as decodePng } from 'fast-png';
import sharp from 'sharp';
import { ImageDecodeError } from './image-decode-error.js';
import { IMAGE_PIXELS, IMAGE_SIZE } from './image-format.js';

/** The model's view of an image, and what the image was. */
export interface PreprocessedImage {
  /** 28x28 8-bit grayscale, row-major, the item light on a black background. */
  readonly pixels: Uint8Array;
  readonly source: {
    readonly format: string;
    /** As displayed, EXIF orientation applied. */
    readonly width: number;
    readonly height: number;
  };
}

/**
 * The formats accepted from users and the libvips decoders that read them. Every other decoder is
 * blocked in this process, so that libvips never parses SVG (librsvg, external references) or the
 * other formats it knows, not even to tell what they are: they widen the attack surface for nothing.
 */
const DECODERS = {
  jpeg: 'VipsForeignLoadJpeg',
  png: 'VipsForeignLoadPng',
  webp: 'VipsForeignLoadWebp',
  gif: 'VipsForeignLoadNsgif',
  tiff: 'VipsForeignLoadTiff',
  heif: 'VipsForeignLoadHeif',
};
sharp.block({ operation: ['VipsForeignLoad'] });
sharp.unblock({ operation: Object.values(DECODERS) });

const ACCEPTED = 'JPEG, PNG, WebP, GIF, TIFF or AVIF';

/** Decompression-bomb guard: a 50-megapixel image already holds 50 MB of grayscale pixels. */
export const MAX_INPUT_PIXELS = 50_000_000;

/**
 * Large inputs are decoded straight to at most this size (JPEG and WebP shrink on load), plenty to
 * find the item's bounding box before it is fitted into 28 pixels.
 */
const WORKING_SIZE = 512;

/** Grey-level distance from the background under which `trim` takes a pixel for background. */
const TRIM_THRESHOLD = 32;

/**
 * Turns an uploaded or stored image into the model's 784 bytes, the way Fashion-MNIST itself was
 * made: EXIF orientation applied, transparency flattened onto white, grayscale, the background
 * trimmed off, the item fitted into 28x28 keeping its aspect ratio and centred, inverted when the
 * background is light, and the background brought to black.
 * An image that is already 28x28 is taken to be laid out like Fashion-MNIST and is only inverted
 * when its background is light, so the dataset's own images come out byte-identical.
 * Throws ImageDecodeError for anything that is not a decodable image of a supported format.
 */
export async function preprocessImage(
  input: Buffer,
): Promise<PreprocessedImage> {
  if (input.length === 0) {
    throw new ImageDecodeError('empty', 'the file is empty');
  }
  const { gray, width, height, source } =
    decodeModelShapedPng(input) ?? (await decodeToGray(input));
  const background = borderMedian(gray, width, height);
  // Decided on the mean: its median can be an item's grey where it covers most of the border.
  const light = borderMean(gray, width, height) > 127;

  if (width === IMAGE_SIZE && height === IMAGE_SIZE) {
    return {
      pixels: light ? gray.map((value) => 255 - value) : gray,
      source,
    };
  }

  let fitted = sharp(gray, { raw: { width, height, channels: 1 } });
  if (width >= 3 && height >= 3) {
    fitted = fitted.trim({
      background: { r: background, g: background, b: background },
      threshold: TRIM_THRESHOLD,
    });
  }
  const { data, info } = await fitted
    .resize(IMAGE_SIZE, IMAGE_SIZE, { fit: 'inside' })
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });

  const level = light ? 255 - background : background;
  const scale = 255 / (255 - Math.min(level, 254));
  const pixels = new Uint8Array(IMAGE_PIXELS);
  // An odd margin leaves its extra pixel above and to the left: measured on the dataset, this
  // matches how Fashion-MNIST centred its items.
  const left = (IMAGE_SIZE - info.width + 1) >> 1;
  const top = (IMAGE_SIZE - info.height + 1) >> 1;
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      const value = data[y * info.width + x];
      const item = light ? 255 - value : value;
      pixels[(top + y) * IMAGE_SIZE + left + x] = Math.max(
        0,
        Math.min(255, Math.round((item - level) * scale)),
      );
    }
  }
  return { pixels, source };
}

const PNG_SIGNATURE = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a,
]);

/**
 * A PNG already in Fashion-MNIST's own form (28x28, 8-bit grey, not interlaced) is decoded in
 * JavaScript: a libvips pipeline costs about 1 ms of CPU per image whatever its size, ten times
 * this decode, and such images are what the dataset, its exports and the web page's samples are.
 * Anything else, including a damaged file of this form, goes to libvips.
 */
function decodeModelShapedPng(input: Buffer) {
  const header = input.subarray(0, 33);
  const modelShaped =
    header.length === 33 &&
    header.subarray(0, 8).equals(PNG_SIGNATURE) &&
    header.toString('latin1', 12, 16) === 'IHDR' &&
    header.readUInt32BE(16) === IMAGE_SIZE &&
    header.readUInt32BE(20) === IMAGE_SIZE &&
    header[24] === 8 && // bit depth
    header[25] === 0 && // colour type: grey, no alpha
    header[28] === 0; // not interlaced
  if (!modelShaped) return undefined;
  try {
    const png = decodePng(input, { checkCrc: true });
    // A tRNS chunk makes one grey level transparent: libvips flattens it onto white.
    if (
      png.channels !== 1 ||
      png.transparency ||
      png.data.length !== IMAGE_PIXELS
    ) {
      return undefined;
    }
    return {
      gray: png.data as Uint8Array,
      width: IMAGE_SIZE,
      height: IMAGE_SIZE,
      source: { format: 'png', width: IMAGE_SIZE, height: IMAGE_SIZE },
    };
  } catch {
    return undefined;
  }
}

async function decodeToGray(input: Buffer) {
  try {
    const image = sharp(input, { limitInputPixels: MAX_INPUT_PIXELS });
    const { format, autoOrient } = await image.metadata();
    const { data, info } = await image
      .autoOrient()
      .resize(WORKING_SIZE, WORKING_SIZE, {
        fit: 'inside',
        withoutEnlargement: true,
      })
      .flatten({ background: '#ffffff' })
      .grayscale()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return {
      gray: new Uint8Array(data.buffer, data.byteOffset, data.length),
      width: info.width,
      height: info.height,
      source: { format, ...autoOrient },
    };
  } catch (error) {
    throw error instanceof ImageDecodeError ? error : asDecodeError(error);
  }
}

function asDecodeError(error: unknown): ImageDecodeError {
  const message = error instanceof Error ? error.message : String(error);
  if (/unsupported image format/i.test(message)) {
    return new ImageDecodeError(
      'unsupported-format',
      `not an image of an accepted format: send ${ACCEPTED} (SVG and other formats are refused)`,
    );
  }
  if (/pixel limit/i.test(message)) {
    return new ImageDecodeError(
      'too-large',
      `the image has more than ${MAX_INPUT_PIXELS / 1_000_000} megapixels`,
    );
  }
  return new ImageDecodeError(
    'corrupt',
    `the image cannot be decoded: ${message.trim()}`,
  );
}

function borderPixels(gray: Uint8Array, width: number, height: number) {
  const border: number[] = [];
  for (let x = 0; x < width; x++) {
    border.push(gray[x], gray[(height - 1) * width + x]);
  }
  for (let y = 1; y < height - 1; y++) {
    border.push(gray[y * width], gray[y * width + width - 1]);
  }
  return border;
}

function borderMedian(gray: Uint8Array, width: number, height: number) {
  const border = borderPixels(gray, width, height).sort((a, b) => a - b);
  return border[border.length >> 1];
}

function borderMean(gray: Uint8Array, width: number, height: number) {
  const border = borderPixels(gray, width, height);
  return border.reduce((sum, value) => sum + value, 0) / border.length;
}
