import { BadRequestException, NotFoundException } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { resolve } from 'node:path';
import { trainingDefaults } from '#fmnist';
import {
  DatasetFolderError,
  DatasetFolderMissingError,
  resolveDatasetFolder,
} from './dataset-folder.js';
import type { CreateTrainingJobDto } from './dto/create-training-job.dto.js';
import type { TrainingParameters } from './training-job.js';
import type { WorkerDataset, WorkerTask } from './worker/worker-protocol.js';

const DEFAULT_TEST_SPLIT = 0.2;

/** A job's parameters: what the request gives, the defaults for the rest (a seed drawn for it). */
export function trainingParameters(
  request: CreateTrainingJobDto,
  defaultModelName: string,
): TrainingParameters {
  const dataset = request.dataset ?? { kind: 'fmnist' };
  const architecture = request.architecture ?? 'default-cnn';
  const defaults = trainingDefaults(architecture);
  return {
    dataset:
      dataset.kind === 'folder'
        ? {
            kind: 'folder',
            path: dataset.path,
            testSplit: dataset.testSplit ?? DEFAULT_TEST_SPLIT,
          }
        : { kind: 'fmnist', trainLimit: dataset.trainLimit },
    architecture,
    epochs: request.epochs ?? defaults.epochs,
    batchSize: request.batchSize ?? defaults.batchSize,
    learningRate: request.learningRate ?? defaults.learningRate,
    validationSplit: request.validationSplit ?? defaults.validationSplit,
    labelSmoothing: request.labelSmoothing ?? defaults.labelSmoothing,
    earlyStopping: request.earlyStopping && {
      patience: request.earlyStopping.patience,
      minDelta: request.earlyStopping.minDelta ?? 0,
    },
    seed: request.seed ?? randomInt(0, 2 ** 32 - 1),
    modelName: request.modelName ?? defaultModelName,
    promote: request.promote ?? false,
  };
}

/**
 * What the worker process is told to do: the training parameters with the dataset resolved to a
 * folder on disk (400 for a folder dataset outside the data root or missing).
 */
export async function workerTask(
  parameters: TrainingParameters,
  folders: { fmnistDir: string; dataRoot: string },
): Promise<WorkerTask> {
  const {
    dataset: _spec,
    modelName: _name,
    promote: _promote,
    ...training
  } = parameters;
  return { ...training, dataset: await workerDataset(parameters, folders) };
}

async function workerDataset(
  { dataset }: TrainingParameters,
  { fmnistDir, dataRoot }: { fmnistDir: string; dataRoot: string },
): Promise<WorkerDataset> {
  if (dataset.kind === 'fmnist') {
    return {
      kind: 'fmnist',
      dir: resolve(fmnistDir),
      trainLimit: dataset.trainLimit,
    };
  }
  try {
    return {
      kind: 'folder',
      dir: await resolveDatasetFolder(dataRoot, dataset.path),
      name: dataset.path,
      testSplit: dataset.testSplit,
    };
  } catch (error) {
    if (error instanceof DatasetFolderMissingError) {
      throw new NotFoundException([error.message]);
    }
    if (error instanceof DatasetFolderError) {
      throw new BadRequestException([error.message]);
    }
    throw error;
  }
}
