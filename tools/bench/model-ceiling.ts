import * as tf from '@tensorflow/tfjs-node';
import { IMAGE_PIXELS } from '#fmnist';
import { toInputTensor } from '#fmnist/tensorflow';

export interface CeilingResult {
  singleImageMs: number;
  singleImagesPerSecond: number;
  batchSize: number;
  batchedImagesPerSecond: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The same model called in this process: what the HTTP + Kafka path is measured against. */
export async function modelCeiling(
  model: tf.LayersModel,
  images: Uint8Array,
  batchSize = 256,
): Promise<CeilingResult> {
  const predict = async (count: number) => {
    const output = tf.tidy(
      () => model.predict(toInputTensor(images, count)) as tf.Tensor,
    );
    await output.data();
    output.dispose();
  };
  for (let warmUp = 0; warmUp < 20; warmUp++) await predict(1);
  const single: number[] = [];
  for (let run = 0; run < 300; run++) {
    const started = performance.now();
    await predict(1);
    single.push(performance.now() - started);
  }
  const batched: number[] = [];
  for (let run = 0; run < 30; run++) {
    const started = performance.now();
    await predict(Math.min(batchSize, images.length / IMAGE_PIXELS));
    batched.push(performance.now() - started);
  }
  const singleImageMs = median(single);
  return {
    singleImageMs,
    singleImagesPerSecond: 1000 / singleImageMs,
    batchSize,
    batchedImagesPerSecond: (batchSize * 1000) / median(batched),
  };
}
