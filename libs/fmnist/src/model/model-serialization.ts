import * as tf from '@tensorflow/tfjs-node';
import { NUM_CLASSES } from '../labels.js';
import { predictProbabilities } from './models.js';

// tfjs-node exports `io` as a value only; its artifact types are reached through a function of it.
type ModelArtifacts = Parameters<
  Parameters<typeof tf.io.withSaveHandler>[0]
>[0];
type WeightSpecs = NonNullable<ModelArtifacts['weightSpecs']>;

/** A whole model as plain JSON, so it can travel in a Kafka record or be stored as a file. */
export interface SerializedModel {
  readonly modelTopology: object;
  readonly weightSpecs: WeightSpecs;
  /** The weights' bytes, base64. */
  readonly weightData: string;
}

export async function serializeModel(
  model: tf.LayersModel,
): Promise<SerializedModel> {
  let serialized: SerializedModel | undefined;
  await model.save(
    tf.io.withSaveHandler((artifacts) => {
      if (!artifacts.modelTopology || !artifacts.weightSpecs) {
        throw new Error('the model saved no topology or no weights');
      }
      serialized = {
        modelTopology: artifacts.modelTopology,
        weightSpecs: artifacts.weightSpecs,
        weightData: Buffer.from(
          tf.io.CompositeArrayBuffer.join(artifacts.weightData),
        ).toString('base64'),
      };
      return Promise.resolve({
        modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts),
      });
    }),
  );
  if (!serialized) throw new Error('the model was not saved');
  return serialized;
}

/** The model `serializeModel` wrote, ready for inference. */
export function deserializeModel(
  serialized: SerializedModel,
): Promise<tf.LayersModel> {
  const weights = Buffer.from(serialized.weightData, 'base64');
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: serialized.modelTopology,
      weightSpecs: serialized.weightSpecs,
      weightData: weights.buffer.slice(
        weights.byteOffset,
        weights.byteOffset + weights.length,
      ),
    }),
  );
}

/** Largest difference allowed between an answer of the trained model and of its reloaded copy. */
const RELOAD_TOLERANCE = 1e-4;

/**
 * Loads `serialized` as a reader will and runs it on `images` (`count` of them, 28x28 each):
 * throws unless it answers as `trained` does, with probabilities that sum to one. A model that
 * fails here would fail in every classifier.
 */
export async function checkReloads(
  serialized: SerializedModel,
  trained: tf.LayersModel,
  images: Uint8Array,
  count: number,
): Promise<void> {
  const reloaded = await deserializeModel(serialized);
  try {
    const [expected, actual] = await Promise.all([
      predictProbabilities(trained, images, count),
      predictProbabilities(reloaded, images, count),
    ]);
    for (let image = 0; image < count; image++) {
      const row = actual.subarray(
        image * NUM_CLASSES,
        (image + 1) * NUM_CLASSES,
      );
      const sum = row.reduce((total, p) => total + p, 0);
      if (!Number.isFinite(sum) || Math.abs(sum - 1) > RELOAD_TOLERANCE) {
        throw new Error(
          `the model to publish answers test image ${image} with probabilities summing to ${sum}`,
        );
      }
    }
    const drift = expected.reduce(
      (worst, p, i) => Math.max(worst, Math.abs(p - actual[i])),
      0,
    );
    if (drift > RELOAD_TOLERANCE) {
      throw new Error(
        `the model to publish, loaded back, answers unlike the trained model (difference ${drift})`,
      );
    }
  } finally {
    reloaded.dispose();
  }
}
