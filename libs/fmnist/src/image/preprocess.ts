import { decode as decodePng } from 'fast-png';
import { imageSize } from 'image-size';
import sharp, { type Metadata } from 'sharp';
import {
  borderStatistics,
  contentBox,
  fitInside,
  resample,
  toGray,
  type GrayImage,
} from './gray-image.js';
import { ImageDecodeError } from './image-decode-error.js';
import { decodeWithImageRs } from './image-rs-decode.js';
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

/**
 * Decompression-bomb guard by default: 16 megapixels hold a phone camera's 12, and a 28x28 model
 * has no use for more.
 */
export const MAX_INPUT_PIXELS = 16_000_000;

/**
 * Images are worked on at WORKING_SIZE on their long side: plenty to find the item's bounding box
 * before it is fitted into 28 pixels. Measured on 2,000 photos of the corpus with the tests' model:
 * 88.25% accurate at 128 px, 88.15% at 160 and 88.10% at 112 (mean distance to the dataset's
 * images 24.09, 24.00 and 24.25 grey levels), and 86.5% earlier when whole images of up to 512 px
 * were worked on. The steps in JavaScript after the decode cost in proportion to the pixels: on the
 * bench's 16 photos, 128 px takes 8-14% less CPU per photo than 160 (0.13-0.23 ms less of the event
 * loop), and 96 px was a point less accurate.
 */
const WORKING_SIZE = 128;

/**
 * Up to this size on its long side an image is decoded whole and then reduced (measured: a libvips
 * resize, even one the codec does on load, costs more than decoding such an image whole, and
 * image-rs decodes a 320x480 WebP whole in 2.5 ms where libvips takes 4.7 to decode it scaled);
 * larger ones are reduced to the working size by libvips, by the codec itself where it can.
 */
const DECODED_WHOLE_UP_TO = 512;

/**
 * PNG and TIFF, which no codec decodes at a reduced size, are decoded whole by libvips at any
 * size: image-rs's whole decode and reduction cost less up to about a megapixel (measured, 8
 * photos of each: PNG 640 px 3.4 against 6.2 ms of CPU, 1024 px 7.9 against 11.8; TIFF 640 px
 * 4.1 against 8.0, 1024 px 13.8 against 14.1), and much more beyond (4 MP PNG: 51 against 29).
 * With the tests' model, 1,000 test images as PNG photos of 640 and 1000 px and TIFF of 800 px
 * were 87.9-88.2% accurate this way, 87.4-88.0% through libvips.
 */
const DECODED_WHOLE_WITHOUT_SHRINK_UP_TO = 1024;

/** JPEG and WebP decode large images straight to a half, quarter or eighth of their size, at a fraction of the cost. */
export const SHRINKS_ON_LOAD: ReadonlySet<string> = new Set(['jpeg', 'webp']);
const MIN_SHRUNK_SIZE = 128;

/** Grey-level distance from the background beyond which a pixel belongs to the item. */
const TRIM_THRESHOLD = 32;

/** What an image file says of itself, read from its header without decoding a pixel. */
export interface ImageHeader {
  readonly format: string;
  /** As stored: an EXIF orientation may swap them for display. */
  readonly width: number;
  readonly height: number;
}

export interface PreprocessOptions {
  /** Images over this many pixels are refused from their header (`too-large`). */
  readonly maxPixels?: number;
  /** The image's header, when the caller has read it already (readImageHeader). */
  readonly header?: ImageHeader;
}

/**
 * The format and size of an image, from its header alone, refusing it (ImageDecodeError) when it is
 * not of an accepted format or has more than `maxPixels`: the cheap check before any decoding.
 * Read in JavaScript (image-size), which costs microseconds where a libvips call costs half a
 * millisecond of CPU and two thread hand-offs; libvips reads what image-size cannot, and says why
 * a file is refused. Decoding is capped at `maxPixels` too, so a header that misleads image-size
 * is still refused by libvips.
 */
export async function readImageHeader(
  input: Buffer,
  { maxPixels = MAX_INPUT_PIXELS }: PreprocessOptions = {},
): Promise<ImageHeader> {
  if (input.length === 0) {
    throw new ImageDecodeError('empty', 'the file is empty');
  }
  // Only the header: the pixels are decoded once, by preprocessImage.
  if (hasModelShapedHeader(input)) return MODEL_SHAPED_SOURCE;
  const header = probeHeader(input) ?? (await libvipsHeader(input));
  if (header.width * header.height > maxPixels) {
    throw new ImageDecodeError(
      'too-large',
      `the image has ${header.width}x${header.height} pixels, more than the ${formatPixels(maxPixels)} accepted`,
    );
  }
  return header;
}

/** image-size's names of the accepted formats, as libvips names them. */
const PROBED_FORMATS: Record<string, string> = {
  jpg: 'jpeg',
  png: 'png',
  webp: 'webp',
  gif: 'gif',
  tiff: 'tiff',
  heif: 'heif',
  avif: 'heif',
};

function probeHeader(input: Buffer): ImageHeader | undefined {
  try {
    const { type = '', width, height } = imageSize(input);
    const format = PROBED_FORMATS[type];
    if (!format || !(width > 0 && height > 0)) return undefined;
    return { format, width, height };
  } catch {
    return undefined;
  }
}

async function libvipsHeader(input: Buffer): Promise<ImageHeader> {
  let metadata: Metadata;
  try {
    metadata = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw asDecodeError(error);
  }
  const { format, width, height } = metadata;
  return { format, width, height };
}

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
  options: PreprocessOptions = {},
): Promise<PreprocessedImage> {
  const { gray, source } =
    decodeModelShapedPng(input) ??
    (await decodeSmall(
      input,
      options.header ?? (await readImageHeader(input, options)),
      options.maxPixels ?? MAX_INPUT_PIXELS,
    ));
  const border = borderStatistics(gray);
  // Decided on the mean: the median can be an item's grey where it covers most of the border.
  const light = border.mean > 127;

  if (gray.width === IMAGE_SIZE && gray.height === IMAGE_SIZE) {
    return {
      pixels: light ? gray.data.map((value) => 255 - value) : gray.data,
      source,
    };
  }

  const box =
    gray.width >= 3 && gray.height >= 3
      ? contentBox(gray, border.median, TRIM_THRESHOLD)
      : { left: 0, top: 0, width: gray.width, height: gray.height };
  const [width, height] = fitInside(box, IMAGE_SIZE);
  const fitted = resample(gray, box, width, height);

  const level = light ? 255 - border.median : border.median;
  const scale = 255 / (255 - Math.min(level, 254));
  const pixels = new Uint8Array(IMAGE_PIXELS);
  // An odd margin leaves its extra pixel above and to the left: measured on the dataset, this
  // matches how Fashion-MNIST centred its items.
  const left = (IMAGE_SIZE - width + 1) >> 1;
  const top = (IMAGE_SIZE - height + 1) >> 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const value = fitted[y * width + x];
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

/** Fashion-MNIST's own form: 28x28, 8-bit grey, not interlaced. */
function hasModelShapedHeader(input: Buffer): boolean {
  const header = input.subarray(0, 33);
  return (
    header.length === 33 &&
    header.subarray(0, 8).equals(PNG_SIGNATURE) &&
    header.toString('latin1', 12, 16) === 'IHDR' &&
    header.readUInt32BE(16) === IMAGE_SIZE &&
    header.readUInt32BE(20) === IMAGE_SIZE &&
    header[24] === 8 && // bit depth
    header[25] === 0 && // colour type: grey, no alpha
    header[28] === 0 // not interlaced
  );
}

const MODEL_SHAPED_SOURCE = {
  format: 'png',
  width: IMAGE_SIZE,
  height: IMAGE_SIZE,
} as const;

/**
 * A PNG already in Fashion-MNIST's own form (28x28, 8-bit grey, not interlaced) is decoded in
 * JavaScript: a libvips pipeline costs about 1 ms of CPU per image whatever its size, ten times
 * this decode, and such images are what the dataset, its exports and the web page's samples are.
 * Anything else, including a damaged file of this form, goes to libvips.
 */
function decodeModelShapedPng(input: Buffer) {
  if (!hasModelShapedHeader(input)) return undefined;
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
      gray: {
        data: png.data as Uint8Array,
        width: IMAGE_SIZE,
        height: IMAGE_SIZE,
      },
      source: MODEL_SHAPED_SOURCE,
    };
  } catch {
    return undefined;
  }
}

/**
 * The image as displayed, a few hundred pixels at most, with the upload's displayed size: small
 * ones decoded whole by image-rs where it can and reduced to the working size (decodeWithImageRs),
 * others by one libvips pipeline, its cheapest: decoded (shrunk on load where the codec can),
 * oriented and reduced to the working size, and nothing else. Colour space conversions in libvips
 * cost more than the decode itself on photos of a few hundred pixels; grey and flattening are done
 * on the small result in JavaScript.
 */
async function decodeSmall(
  input: Buffer,
  header: ImageHeader,
  maxPixels: number,
): Promise<{ gray: GrayImage; source: ImageHeader }> {
  const { format } = header;
  const longSide = Math.max(header.width, header.height);
  const imageRsUpTo = SHRINKS_ON_LOAD.has(format)
    ? DECODED_WHOLE_UP_TO
    : DECODED_WHOLE_WITHOUT_SHRINK_UP_TO;
  const decoded =
    longSide <= imageRsUpTo
      ? await decodeWithImageRs(input, header, { longSide: WORKING_SIZE })
      : undefined;
  if (decoded) {
    return { gray: decoded.gray, source: { format, ...decoded.displayed } };
  }
  const decodedWhole = longSide <= DECODED_WHOLE_UP_TO;
  let image = sharp(input, {
    limitInputPixels: maxPixels,
    // An embedded colour profile would have libvips build an lcms transform for every upload:
    // 2.5 ms of CPU on a 300 px photo, more than its decode. The model sees grey, which common
    // profiles barely move (Display P3 shares sRGB's greys): 269 photos of the corpus converted
    // to Display P3 came out 0.5 grey levels from their sRGB selves on average, 1 prediction of
    // 269 changed. Photos tagged sRGB (the corpus's EXIF-turned ones) come out byte-identical.
    ignoreIcc: true,
  }).autoOrient();
  // Decoded whole, the image's own size as displayed comes with its pixels; a reduced one needs its
  // orientation first, and a libvips header read is cheap beside decoding such an image.
  const displayed = decodedWhole ? undefined : await displayedSize(input);
  if (displayed) {
    const shrunk = shrunkOnLoad({ format, ...displayed });
    image = shrunk
      ? image.resize(shrunk[0], shrunk[1], { fit: 'fill' })
      : image.resize(WORKING_SIZE, WORKING_SIZE, {
          fit: 'inside',
          kernel: 'linear',
        });
  }
  try {
    const { data, info } = await image
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return {
      gray: toGray(
        new Uint8Array(data.buffer, data.byteOffset, data.length),
        info.width,
        info.height,
        info.channels,
      ),
      source: {
        format,
        width: displayed?.width ?? info.width,
        height: displayed?.height ?? info.height,
      },
    };
  } catch (error) {
    throw asDecodeError(error);
  }
}

async function displayedSize(input: Buffer) {
  try {
    const { autoOrient } = await sharp(input, {
      limitInputPixels: false,
    }).metadata();
    return { width: autoOrient.width, height: autoOrient.height };
  } catch (error) {
    throw asDecodeError(error);
  }
}

/**
 * The size the codec decodes to by itself at the largest power-of-two reduction that keeps the
 * image at least MIN_SHRUNK_SIZE on its long side; asked for exactly, so nothing is resampled
 * after the decode.
 */
function shrunkOnLoad({ format, width, height }: ImageHeader) {
  if (!SHRINKS_ON_LOAD.has(format)) return undefined;
  let factor = 1;
  while (
    factor < 8 &&
    Math.max(width, height) / (2 * factor) >= MIN_SHRUNK_SIZE
  ) {
    factor *= 2;
  }
  if (factor === 1) return undefined;
  return [Math.ceil(width / factor), Math.ceil(height / factor)] as const;
}

function asDecodeError(error: unknown): ImageDecodeError {
  if (error instanceof ImageDecodeError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/exceeds pixel limit/i.test(message)) {
    return new ImageDecodeError(
      'too-large',
      'the image has more pixels than its header said, more than accepted',
    );
  }
  if (/unsupported image format/i.test(message)) {
    return new ImageDecodeError(
      'unsupported-format',
      `not an image of an accepted format: send ${ACCEPTED} (SVG and other formats are refused)`,
    );
  }
  return new ImageDecodeError(
    'corrupt',
    `the image cannot be decoded: ${message.trim()}`,
  );
}

function formatPixels(pixels: number): string {
  return pixels >= 1_000_000
    ? `${+(pixels / 1_000_000).toFixed(1)} megapixels`
    : `${pixels} pixels`;
}
