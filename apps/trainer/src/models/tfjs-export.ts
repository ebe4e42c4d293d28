import type { ModelArtifacts } from '#fmnist';

export const WEIGHTS_FILE = 'weights.bin';

/**
 * The `model.json` of tfjs's layers-model format; its weights manifest names `weights.bin` relative
 * to itself, so `tf.loadLayersModel(<url of model.json>)` fetches the weights from beside it.
 */
export function modelJson(artifacts: ModelArtifacts): object {
  return {
    format: 'layers-model',
    generatedBy: 'fashion-kafka trainer',
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [
      { paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs },
    ],
  };
}

export function weightsBin(artifacts: ModelArtifacts): Buffer {
  return Buffer.from(artifacts.weightData, 'base64');
}
