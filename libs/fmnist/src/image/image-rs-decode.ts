import {
  FastResizeFilter,
  JsColorType,
  ResizeFit,
  Transformer,
} from '@napi-rs/image';
import { embeddedOrientation } from './embedded-orientation.js';
import {
  oriented,
  orientedSize,
  toGray,
  type GrayImage,
} from './gray-image.js';

/**
 * The formats image-rs decodes here. Every libvips pipeline costs about 1 ms of CPU to set up
 * whatever the image's size (measured: 0.9 ms for an 8x8 PNG), where image-rs decodes a photo of
 * a few hundred pixels whole in 0.7-1.3 ms (PNG, JPEG, TIFF) or 2.5 ms (WebP): a third of what
 * libvips takes. GIF is not built into @napi-rs/image and stays with libvips.
 */
export const DECODED_BY_IMAGE_RS: ReadonlySet<string> = new Set([
  'png',
  'jpeg',
  'webp',
  'tiff',
]);

const endsWithEndOfImage = (jpeg: Buffer) =>
  jpeg.length >= 2 && jpeg[jpeg.length - 2] === 0xff && jpeg.at(-1) === 0xd9;

const CHANNELS: Partial<Record<JsColorType, number>> = {
  [JsColorType.L8]: 1,
  [JsColorType.La8]: 2,
  [JsColorType.Rgb8]: 3,
  [JsColorType.Rgba8]: 4,
};

/** An image decoded to grey, and the size of the upload as displayed. */
export interface DecodedImage {
  readonly gray: GrayImage;
  readonly displayed: { readonly width: number; readonly height: number };
}

export interface ImageRsDecodeOptions {
  /**
   * Images longer than this on a side are reduced to it (keeping their aspect ratio) right after
   * decoding, before any step in JavaScript; whole when unset.
   */
  readonly longSide?: number;
}

/**
 * `input` decoded by image-rs to grey as displayed (EXIF orientation applied), or undefined when
 * libvips should decode it instead: another format, more than 8 bits a channel, a size other than
 * its header's, a JPEG without its end marker (cut short, or followed by other bytes), or a file
 * image-rs cannot decode (libvips then names the problem, as for every refused upload).
 */
export async function decodeWithImageRs(
  input: Buffer,
  header: { format: string; width: number; height: number },
  { longSide = Infinity }: ImageRsDecodeOptions = {},
): Promise<DecodedImage | undefined> {
  const { format } = header;
  if (!DECODED_BY_IMAGE_RS.has(format)) return undefined;
  // A 16-bit PNG (IHDR's bit depth) would be decoded only to be handed to libvips.
  if (format === 'png' && input[24] === 16) return undefined;
  // image-rs decodes a JPEG cut short, greying what is missing; libvips refuses it as corrupt.
  if (format === 'jpeg' && !endsWithEndOfImage(input)) return undefined;
  try {
    const transformer = new Transformer(input);
    // One decode: the transformer keeps the image between its calls.
    const { width, height, colorType } = await transformer.metadata(false);
    let channels = CHANNELS[colorType];
    if (!channels || width !== header.width || height !== header.height) {
      return undefined;
    }
    const orientation = embeddedOrientation(input, format);
    const reduced = reducedSize(width, height, longSide);
    if (reduced) {
      // Averaged over areas by SIMD code on libuv's pool, where every pass in JavaScript would
      // cost the event loop a few nanoseconds a pixel: on photos of a few hundred pixels, the
      // steps after the decode then cost a fifth of what they did on the whole image. Alpha is
      // weighted in (premultiplied), so flattening onto white afterwards is as flattening first.
      transformer.fastResize({
        width: reduced[0],
        height: reduced[1],
        filter: FastResizeFilter.Box,
        fit: ResizeFit.Fill,
      });
      channels = 4;
    }
    const data = await transformer.rawPixels();
    const [storedWidth, storedHeight] = reduced ?? [width, height];
    // Turned here rather than by image-rs, which would parse the EXIF again (see
    // embeddedOrientation), on the grey image: a third of the bytes.
    const gray = oriented(
      toGray(
        new Uint8Array(data.buffer, data.byteOffset, data.length),
        storedWidth,
        storedHeight,
        channels,
      ),
      orientation,
    );
    return { gray, displayed: orientedSize(width, height, orientation) };
  } catch {
    return undefined;
  }
}

/** `width` x `height` brought down to `longSide` on its long side, or undefined when it fits. */
function reducedSize(
  width: number,
  height: number,
  longSide: number,
): [number, number] | undefined {
  const scale = longSide / Math.max(width, height);
  if (scale >= 1) return undefined;
  return [
    Math.max(1, Math.round(width * scale)),
    Math.max(1, Math.round(height * scale)),
  ];
}
