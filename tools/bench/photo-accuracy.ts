import type { LayersModel, Tensor } from '@tensorflow/tfjs-node';
import { argMaxRows, IMAGE_PIXELS, type PreprocessedImage } from '#fmnist';
import { toInputTensor } from '#fmnist/tensorflow';
import type { CorpusPhoto } from '../testing/photo-corpus.js';

export interface PhotoAccuracy {
  images: number;
  /** On the dataset's own 28x28 images the photos were made from. */
  datasetAccuracy: number;
  /** On the photos, through preprocessing. */
  photoAccuracy: number;
  /** The same, by format of the upload. */
  byFormat: Record<string, { images: number; accuracy: number }>;
  /** Mean absolute difference between the preprocessed photo and its dataset image, grey levels. */
  meanDifference: number;
}

/**
 * How well a model classifies photo-like uploads, beside the dataset images they were made from:
 * what preprocessing loses (or gains) on the way from a photo to 28x28.
 */
export async function photoAccuracy(
  model: LayersModel,
  photos: CorpusPhoto[],
  preprocess: (input: Buffer) => Promise<PreprocessedImage>,
): Promise<PhotoAccuracy> {
  const seen = new Uint8Array(photos.length * IMAGE_PIXELS);
  const originals = new Uint8Array(photos.length * IMAGE_PIXELS);
  let difference = 0;
  for (const [index, photo] of photos.entries()) {
    const { pixels } = await preprocess(photo.bytes);
    seen.set(pixels, index * IMAGE_PIXELS);
    originals.set(photo.original, index * IMAGE_PIXELS);
    for (let i = 0; i < IMAGE_PIXELS; i++) {
      difference += Math.abs(pixels[i] - photo.original[i]);
    }
  }
  const predict = async (images: Uint8Array) => {
    const input = toInputTensor(images, photos.length);
    const output = model.predict(input) as Tensor;
    const labels = argMaxRows(await output.data());
    input.dispose();
    output.dispose();
    return [...labels];
  };
  const onPhotos = await predict(seen);
  const onDataset = await predict(originals);
  const byFormat: PhotoAccuracy['byFormat'] = {};
  photos.forEach((photo, index) => {
    const entry = (byFormat[photo.format] ??= { images: 0, accuracy: 0 });
    entry.images++;
    if (onPhotos[index] === photo.label) entry.accuracy++;
  });
  for (const entry of Object.values(byFormat)) entry.accuracy /= entry.images;
  const correct = (predicted: number[]) =>
    predicted.filter((label, index) => label === photos[index].label).length /
    photos.length;
  return {
    images: photos.length,
    datasetAccuracy: correct(onDataset),
    photoAccuracy: correct(onPhotos),
    byFormat,
    meanDifference: difference / (photos.length * IMAGE_PIXELS),
  };
}
