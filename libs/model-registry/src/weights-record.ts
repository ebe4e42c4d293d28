import type { IHeaders, KafkaMessage } from 'kafkajs';
import {
  RegistryEntrySchema,
  WEIGHTS_MANIFEST_HEADER,
  WeightsManifestSchema,
  type ModelArtifacts,
} from '#fmnist';

/** A version's weights as a record of `fashion-models.weights`: raw bytes, the manifest in a header. */
export function weightsMessage(artifacts: ModelArtifacts): {
  value: Buffer;
  headers: IHeaders;
} {
  const { weightData, ...manifest } = artifacts;
  return {
    value: Buffer.from(weightData, 'base64'),
    headers: { [WEIGHTS_MANIFEST_HEADER]: JSON.stringify(manifest) },
  };
}

/**
 * The artifacts a record holds: a record of `fashion-models.weights`, or a version's record of
 * `fashion-models` written before weights had a topic of their own (weights inline).
 */
export function artifactsOf(message: KafkaMessage): ModelArtifacts {
  const manifest = message.headers?.[WEIGHTS_MANIFEST_HEADER];
  const value = message.value ?? Buffer.alloc(0);
  if (!manifest) {
    const { artifacts } = RegistryEntrySchema.parse(
      JSON.parse(value.toString()),
    );
    if (!artifacts) throw new Error('the record holds no weights');
    return artifacts;
  }
  return {
    ...WeightsManifestSchema.parse(JSON.parse(manifest.toString())),
    weightData: value.toString('base64'),
  };
}
