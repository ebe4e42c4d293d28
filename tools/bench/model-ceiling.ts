import * as tf from '@tensorflow/tfjs-node';
import { IMAGE_PIXELS } from '#fmnist';
import { toInputTensor, type ServingModel } from '#fmnist/tensorflow';

export interface ModelCalls {
  singleImageMs: number;
  singleImagesPerSecond: number;
  batchedImagesPerSecond: number;
}

export interface CeilingResult extends ModelCalls {
  batchSize: number;
  /** The same model through tfjs's own `predict`, layer by layer: what the graph saves. */
  layerByLayer: ModelCalls;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * The model called in this process as the classifiers call it (its compiled graph), and layer by
 * layer: what the HTTP + Kafka path is measured against.
 */
export async function modelCeiling(
  model: ServingModel,
  images: Uint8Array,
  batchSize = 256,
): Promise<CeilingResult> {
  return {
    ...(await calls((input) => model.predict(input), images, batchSize)),
    batchSize,
    layerByLayer: await calls(
      (input) => model.layersModel.predict(input) as tf.Tensor,
      images,
      batchSize,
    ),
  };
}

async function calls(
  forward: (input: tf.Tensor4D) => tf.Tensor,
  images: Uint8Array,
  batchSize: number,
): Promise<ModelCalls> {
  const predict = async (count: number) => {
    const output = tf.tidy(() => forward(toInputTensor(images, count)));
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
    batchedImagesPerSecond: (batchSize * 1000) / median(batched),
  };
}
