/**
 * The EXIF orientation (1-8) an image file gives itself, as libvips honours it: a JPEG's APP1 Exif
 * segment, a TIFF's first directory, a PNG's eXIf chunk or a WebP's EXIF chunk; 1 when there is
 * none or it cannot be read. Read here rather than by image-rs, whose EXIF parser prints what it
 * finds malformed to the process's stderr, outside the structured log.
 */
export function embeddedOrientation(input: Buffer, format: string): number {
  const exif =
    format === 'jpeg'
      ? jpegExif(input)
      : format === 'tiff'
        ? input
        : format === 'png'
          ? chunkData(input, 8, 'eXIf', 'big')
          : format === 'webp' && input.toString('latin1', 8, 12) === 'WEBP'
            ? chunkData(input, 12, 'EXIF', 'little')
            : undefined;
  return exif ? tiffOrientation(withoutExifPrefix(exif)) : 1;
}

/** Any marker may be preceded by 0xff bytes. */
const FILL = 0xff;
const START_OF_SCAN = 0xda;
const APP1 = 0xe1;

/** The TIFF structure of a JPEG's Exif segment: markers are walked by their lengths up to the image data. */
function jpegExif(input: Buffer): Buffer | undefined {
  for (let at = 2; at + 4 <= input.length && input[at] === 0xff;) {
    const marker = input[at + 1];
    if (marker === FILL) {
      at++;
      continue;
    }
    if (marker === START_OF_SCAN) return undefined;
    const length = input.readUInt16BE(at + 2);
    const data = input.subarray(at + 4, at + 2 + length);
    if (marker === APP1 && data.toString('latin1', 0, 6) === 'Exif\0\0') {
      return data;
    }
    at += 2 + length;
  }
  return undefined;
}

/** PNG chunks: length (big-endian), type, data, CRC. RIFF chunks: type, length (little-endian), data padded to even. */
function chunkData(
  input: Buffer,
  start: number,
  wanted: string,
  byteOrder: 'big' | 'little',
): Buffer | undefined {
  const png = byteOrder === 'big';
  for (let at = start; at + 8 <= input.length;) {
    const length = png ? input.readUInt32BE(at) : input.readUInt32LE(at + 4);
    const type = input.toString(
      'latin1',
      png ? at + 4 : at,
      png ? at + 8 : at + 4,
    );
    const data = at + 8;
    if (type === wanted) return input.subarray(data, data + length);
    if (type === 'IEND') return undefined;
    at = data + length + (png ? 4 : length & 1);
  }
  return undefined;
}

/** JPEG's segment, and some PNG and WebP writers, put "Exif\0\0" before the TIFF header. */
function withoutExifPrefix(exif: Buffer): Buffer {
  return exif.toString('latin1', 0, 6) === 'Exif\0\0' ? exif.subarray(6) : exif;
}

const ORIENTATION_TAG = 0x0112;
const SHORT = 3;

/** Tag 274 of the first image directory of a TIFF structure. */
function tiffOrientation(tiff: Buffer): number {
  if (tiff.length < 8) return 1;
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return 1;
  const little = order === 'II';
  const u16 = (at: number) =>
    little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at);
  const u32 = (at: number) =>
    little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at);
  const directory = u32(4);
  if (directory + 2 > tiff.length) return 1;
  const entries = u16(directory);
  for (let index = 0; index < entries; index++) {
    const entry = directory + 2 + index * 12;
    if (entry + 12 > tiff.length) return 1;
    if (u16(entry) === ORIENTATION_TAG) {
      const value = u16(entry + 8);
      return u16(entry + 2) === SHORT && value >= 1 && value <= 8 ? value : 1;
    }
  }
  return 1;
}
