import sharp from 'sharp';
import { IMAGE_SIZE, seededRandom } from '#fmnist';
import type { TestImage } from './fixture-images.js';

export type PhotoFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff';
export type PhotoChannels = 'rgb' | 'rgba' | 'grey';

/** How one test image was turned into a photo of it. */
export interface PhotoRecipe {
  format: PhotoFormat;
  channels: PhotoChannels;
  /** As displayed, after the EXIF orientation. */
  width: number;
  height: number;
  /** EXIF orientation tag written into the file (1: none). */
  orientation: 1 | 3 | 6 | 8;
  background: [number, number, number];
  ink: [number, number, number];
  /** Share of the shorter side the item's 28x28 square covers. */
  itemShare: number;
  /** Where the item sits in the free margin, 0..1 on each axis (0.5: centred). */
  offset: [number, number];
  /** Standard deviation of the noise added to every channel, in grey levels. */
  noise: number;
}

export interface CorpusPhoto extends PhotoRecipe {
  index: number;
  label: number;
  /** The dataset's own 28x28 image the photo was made from. */
  original: Uint8Array;
  bytes: Buffer;
}

/** What users send a 28x28 classifier: most photos are a few hundred pixels a side. */
export const PHOTO_SIZES = [240, 300, 320, 400, 400, 480, 640, 1000, 1500];
const FORMATS: PhotoFormat[] = [
  'jpeg',
  'jpeg',
  'jpeg',
  'png',
  'png',
  'webp',
  'webp',
  'gif',
  'tiff',
];
const CHANNELS: PhotoChannels[] = ['rgb', 'rgb', 'rgb', 'rgba', 'grey'];
const ORIENTATIONS: PhotoRecipe['orientation'][] = [1, 1, 1, 1, 6, 8, 3];
const ASPECTS = [3 / 4, 1, 4 / 3, 2 / 3];
/** Light and coloured backgrounds, as shops and people photograph clothes on. */
const BACKGROUNDS: PhotoRecipe['background'][] = [
  [255, 255, 255],
  [255, 255, 255],
  [244, 244, 242],
  [245, 239, 224],
  [232, 240, 250],
  [249, 227, 232],
  [214, 232, 200],
  [200, 216, 240],
];
const NOISE = [0, 0, 3, 6];

/**
 * The recipe of photo `index`: drawn from `seed` alone, so a corpus is the same on every machine.
 * `overrides` pins some properties (a format, a size) for tests and benchmarks of one kind.
 */
export function photoRecipe(
  seed: number,
  index: number,
  overrides: Partial<PhotoRecipe> & { longSide?: number } = {},
): PhotoRecipe {
  const random = seededRandom(seed * 100_003 + index);
  const pick = <T>(values: readonly T[]) =>
    values[Math.floor(random() * values.length)];
  const longSide = overrides.longSide ?? pick(PHOTO_SIZES);
  const aspect = pick(ASPECTS);
  const width = Math.round(aspect >= 1 ? longSide : longSide * aspect);
  const height = Math.round(aspect >= 1 ? longSide / aspect : longSide);
  const ink = [0, 0, 0].map(() => 20 + Math.floor(random() * 90));
  const format = overrides.format ?? pick(FORMATS);
  const orientation = pick(ORIENTATIONS);
  const channels = pick(CHANNELS);
  return {
    format,
    // JPEG has no alpha channel: a cut-out would come out on black.
    channels: format === 'jpeg' && channels === 'rgba' ? 'rgb' : channels,
    width,
    height,
    // GIF has no EXIF: such a file would simply show the item turned.
    orientation: format === 'gif' ? 1 : orientation,
    background: pick(BACKGROUNDS),
    ink: ink as PhotoRecipe['ink'],
    itemShare: 0.55 + random() * 0.35,
    offset: [0.2 + random() * 0.6, 0.2 + random() * 0.6],
    noise: pick(NOISE),
    ...overrides,
  };
}

/**
 * Test images as the photos people upload: the item scaled up and tinted on a light or coloured
 * background, off-centre, with noise, in every accepted format and channel layout, some stored
 * turned with an EXIF orientation tag to display upright.
 */
export async function photoCorpus(
  images: TestImage[],
  options: { seed?: number } & Partial<PhotoRecipe> & {
      longSide?: number;
    } = {},
): Promise<CorpusPhoto[]> {
  const { seed = 1, ...overrides } = options;
  return Promise.all(
    images.map(async (image) => {
      const recipe = photoRecipe(seed, image.index, overrides);
      return {
        ...recipe,
        index: image.index,
        label: image.label,
        original: image.pixels,
        bytes: await renderPhoto(image.pixels, recipe, seed),
      };
    }),
  );
}

/** The photo of a 28x28 item that `recipe` describes, encoded as a file. */
export async function renderPhoto(
  pixels: Uint8Array,
  recipe: PhotoRecipe,
  seed = 1,
): Promise<Buffer> {
  const { width, height, itemShare, offset } = recipe;
  const side = Math.max(
    IMAGE_SIZE,
    Math.round(Math.min(width, height) * itemShare),
  );
  const coverage = await sharp(Buffer.from(pixels), {
    raw: { width: IMAGE_SIZE, height: IMAGE_SIZE, channels: 1 },
  })
    .resize(side, side, { kernel: 'cubic' })
    .extractChannel(0)
    .raw()
    .toBuffer();
  const left = Math.round((width - side) * offset[0]);
  const top = Math.round((height - side) * offset[1]);
  const channels = ({ rgb: 3, rgba: 4, grey: 1 } as const)[recipe.channels];
  const canvas = paint(recipe, coverage, side, left, top, channels, seed);
  let photo = sharp(canvas, { raw: { width, height, channels } });
  // Stored turned the other way, with the tag that turns it back for display.
  const storedTurn = { 1: 0, 3: 180, 6: -90, 8: 90 }[recipe.orientation];
  if (storedTurn !== 0) {
    photo = photo
      .rotate(storedTurn)
      .withMetadata({ orientation: recipe.orientation });
  }
  switch (recipe.format) {
    case 'jpeg':
      return photo.jpeg({ quality: 88 }).toBuffer();
    case 'png':
      return photo.png().toBuffer();
    case 'webp':
      return photo.webp({ quality: 88 }).toBuffer();
    case 'gif':
      return photo.gif().toBuffer();
    case 'tiff':
      return photo.tiff({ compression: 'deflate' }).toBuffer();
  }
}

/**
 * Ink laid on the background in proportion to the item's coverage (the dataset's grey level).
 * A cut-out (rgba) is the ink alone with the coverage as alpha, over black pixels that only
 * flattening onto white hides.
 */
function paint(
  recipe: PhotoRecipe,
  coverage: Buffer,
  side: number,
  left: number,
  top: number,
  channels: number,
  seed: number,
): Buffer {
  const { width, height, background, ink, noise } = recipe;
  const random = seededRandom(seed ^ 0x5eed);
  const gaussian = () =>
    Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const canvas = Buffer.alloc(width * height * channels);
  const colour = [0, 0, 0];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const ix = x - left;
      const iy = y - top;
      const inside = ix >= 0 && iy >= 0 && ix < side && iy < side;
      const alpha = inside ? coverage[iy * side + ix] / 255 : 0;
      const jitter = noise > 0 ? gaussian() * noise : 0;
      for (let c = 0; c < 3; c++) {
        const base = channels === 4 ? ink[c] : background[c];
        colour[c] =
          channels === 4
            ? alpha > 0
              ? ink[c] + jitter
              : 0
            : base * (1 - alpha) + ink[c] * alpha + jitter;
      }
      const at = (y * width + x) * channels;
      if (channels === 1) {
        canvas[at] = clamp(
          0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2],
        );
      } else {
        for (let c = 0; c < 3; c++) canvas[at + c] = clamp(colour[c]);
        if (channels === 4) canvas[at + 3] = clamp(alpha * 255);
      }
    }
  }
  return canvas;
}

const clamp = (value: number) => Math.max(0, Math.min(255, Math.round(value)));
