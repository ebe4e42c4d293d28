import { ConfigService } from '@nestjs/config';
import * as tf from '@tensorflow/tfjs-node';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  IMAGE_PIXELS,
  loadFashionMnist,
  ModelArtifactsSchema,
  trainingDefaults,
  weightsChecksum,
  type ArchitectureName,
  type ModelArtifacts,
  type ModelRecord,
  type ModelRef,
} from '#fmnist';
import {
  buildModel,
  serializeModel,
  toInputTensor,
  toTargetTensor,
  trainModel,
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
  const artifacts = await trainedModelArtifacts({
    architecture: 'prototype-cnn',
    from: 0,
    count: TRAINING_IMAGES,
    epochs: 2,
    batchSize: 128,
  });
  if (cacheDir && cacheFile) {
    await mkdir(cacheDir, { recursive: true });
    await writeFile(cacheFile, JSON.stringify(artifacts));
  }
  return artifacts;
}

/**
 * A model really trained in the test process on `count` images of the official training split
 * from `from`: suites that need a second model, answering differently, train it on other images.
 */
export async function trainedModelArtifacts({
  architecture,
  from,
  count,
  epochs,
  batchSize,
}: {
  architecture: ArchitectureName;
  from: number;
  count: number;
  epochs: number;
  batchSize: number;
}): Promise<ModelArtifacts> {
  const train = await loadFashionMnist(FMNIST_DIR, 'train');
  const model = buildModel(architecture);
  const xs = toInputTensor(
    train.images.subarray(from * IMAGE_PIXELS, (from + count) * IMAGE_PIXELS),
    count,
  );
  const ys = toTargetTensor(train.labels.subarray(from, from + count));
  await trainModel(model, xs, ys, {
    epochs,
    batchSize,
    learningRate: trainingDefaults(architecture).learningRate,
  });
  tf.dispose([xs, ys]);
  const artifacts = ModelArtifactsSchema.parse(await serializeModel(model));
  model.dispose();
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
