import * as tf from '@tensorflow/tfjs-node';

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
