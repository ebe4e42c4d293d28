import {
  loadFashionMnist,
  readFolderDataset,
  type LabelledImages,
} from '#fmnist';
import { permutation, pick, splitIndices } from './dataset-split.js';
import { JobFailure } from './job-failure.js';
import type { WorkerDataset } from './worker-protocol.js';

export interface TrainingData {
  train: LabelledImages;
  validation?: LabelledImages;
  test: LabelledImages;
  /** What the test part is, as stored in the model's metrics. */
  evaluatedOn: string;
}

/**
 * The three parts of a job's data. Fashion-MNIST keeps its official test split; a folder dataset
 * holds out `testSplit` of its images for the test. The validation part comes out of the training
 * images. Which images land where depends only on the seed.
 */
export async function loadTrainingData(
  dataset: WorkerDataset,
  validationSplit: number,
  seed: number,
): Promise<TrainingData> {
  if (dataset.kind === 'fmnist') {
    const [all, test] = await Promise.all([
      loadFashionMnist(dataset.dir, 'train'),
      loadFashionMnist(dataset.dir, 'test'),
    ]);
    const order = permutation(all.count, seed).subarray(
      0,
      dataset.trainLimit ?? all.count,
    );
    return {
      ...trainAndValidation(all, order, validationSplit),
      test,
      evaluatedOn: 'fmnist:test',
    };
  }
  const all = await readFolderDataset(dataset.dir);
  const { kept, heldOut } = splitIndices(
    permutation(all.count, seed),
    dataset.testSplit,
  );
  if (heldOut.length === 0 || kept.length === 0) {
    throw new JobFailure(
      `${all.count} images are too few to hold ${Math.round(dataset.testSplit * 100)}% out for the test`,
    );
  }
  return {
    ...trainAndValidation(all, kept, validationSplit),
    test: pick(all, heldOut),
    evaluatedOn: `folder:${dataset.name} (held-out ${heldOut.length} of ${all.count} images)`,
  };
}

function trainAndValidation(
  all: LabelledImages,
  order: Uint32Array,
  validationSplit: number,
): Pick<TrainingData, 'train' | 'validation'> {
  const { kept, heldOut } = splitIndices(order, validationSplit);
  return {
    train: pick(all, kept),
    validation: heldOut.length > 0 ? pick(all, heldOut) : undefined,
  };
}
