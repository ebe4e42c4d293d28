import { ConfigService } from '@nestjs/config';
import * as tf from '@tensorflow/tfjs-node';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  IMAGE_PIXELS,
  loadFashionMnist,
  ModelArtifactsSchema,
  weightsChecksum,
  type ModelArtifacts,
  type ModelRecord,
  type ModelRef,
} from '#fmnist';
import {
  buildModel,
  serializeModel,
  toInputTensor,
  toTargetTensor,
} from '#fmnist/tensorflow';
import { ModelRegistryService } from '#model-registry';
import { kafkaConnectionTo } from '#platform';
import { FMNIST_DIR } from './fixture-images.js';
import { testBrokers } from './test-kafka.js';

const TRAINING_IMAGES = 20_000;

/**
 * A small real model for the end-to-end suites: prototype-cnn trained for two epochs on part of the
 * official training split. Trained once per `npm test` run and cached in its temporary folder,
 * because every suite that classifies needs one and training costs seconds.
 */
export async function testModelArtifacts(): Promise<ModelArtifacts> {
  const cacheDir = process.env.FASHION_TEST_CACHE;
  const cacheFile = cacheDir ? join(cacheDir, 'test-model.json') : undefined;
  if (cacheFile) {
    const cached = await readFile(cacheFile, 'utf8').catch(() => undefined);
    if (cached) return ModelArtifactsSchema.parse(JSON.parse(cached));
  }
  const train = await loadFashionMnist(FMNIST_DIR, 'train');
  const model = buildModel('prototype-cnn');
  const xs = toInputTensor(
    train.images.subarray(0, TRAINING_IMAGES * IMAGE_PIXELS),
    TRAINING_IMAGES,
  );
  const ys = toTargetTensor(train.labels.subarray(0, TRAINING_IMAGES));
  await model.fit(xs, ys, { epochs: 2, batchSize: 128, verbose: 0 });
  tf.dispose([xs, ys]);
  const artifacts = ModelArtifactsSchema.parse(await serializeModel(model));
  model.dispose();
  if (cacheDir && cacheFile) {
    await mkdir(cacheDir, { recursive: true });
    await writeFile(cacheFile, JSON.stringify(artifacts));
  }
  return artifacts;
}

export function testModelRecord(
  ref: ModelRef,
  artifacts: ModelArtifacts,
): ModelRecord {
  return {
    ...ref,
    architecture: 'prototype-cnn',
    dataset: `fmnist:train[0:${TRAINING_IMAGES}]`,
    metrics: { accuracy: 0 },
    createdAt: new Date().toISOString(),
    weightsSha256: weightsChecksum(artifacts.weightData),
    artifacts,
  };
}

/** A registry client of the tests' own, on the tests' broker (or another cluster). */
export async function connectRegistry(
  brokers = testBrokers(),
): Promise<ModelRegistryService> {
  const registry = new ModelRegistryService(
    new ConfigService({
      ...kafkaConnectionTo(brokers),
      KAFKA_CLIENT_ID_PREFIX: 'test',
    }),
  );
  await registry.onModuleInit();
  return registry;
}
