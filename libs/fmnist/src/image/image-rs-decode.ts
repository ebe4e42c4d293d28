import { JsColorType, Transformer } from '@napi-rs/image';
import { embeddedOrientation } from './embedded-orientation.js';
import { oriented, toGray, type GrayImage } from './gray-image.js';

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

/**
 * `input` decoded by image-rs to grey as displayed (EXIF orientation applied), or undefined when
 * libvips should decode it instead: another format, more than 8 bits a channel, a size other than
 * its header's, a JPEG without its end marker (cut short, or followed by other bytes), or a file
 * image-rs cannot decode (libvips then names the problem, as for every refused upload).
 */
export async function decodeWithImageRs(
  input: Buffer,
  header: { format: string; width: number; height: number },
): Promise<GrayImage | undefined> {
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
    const orientation = embeddedOrientation(input, format);
    const channels = CHANNELS[colorType];
    if (!channels || width !== header.width || height !== header.height) {
      return undefined;
    }
    const data = await transformer.rawPixels();
    // Turned here rather than by image-rs, which would parse the EXIF again (see
    // embeddedOrientation), on the grey image: a third of the bytes.
    return oriented(
      toGray(
        new Uint8Array(data.buffer, data.byteOffset, data.length),
        width,
        height,
        channels,
      ),
      orientation,
    );
  } catch {
    return undefined;
  }
}
