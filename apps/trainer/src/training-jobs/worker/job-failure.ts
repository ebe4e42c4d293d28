import {
  DatasetNotFoundError,
  FolderDatasetError,
  IdxFormatError,
} from '#fmnist';
import type { WorkerDataset } from './worker-protocol.js';

/** A failure the worker words itself, fit for the job's clients as it is. */
export class JobFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobFailure';
  }
}

/**
 * What the job's clients are told of a failure: our words, with the dataset named as they named
 * it. The rest of what an error says (the trainer's own paths, a library's text) is for the
 * trainer's log.
 */
export function failureMessage(error: unknown, dataset: WorkerDataset): string {
  if (error instanceof JobFailure) return error.message;
  if (error instanceof FolderDatasetError && dataset.kind === 'folder') {
    return error.message.replace(error.root, dataset.name);
  }
  if (
    error instanceof DatasetNotFoundError ||
    error instanceof IdxFormatError
  ) {
    return 'the Fashion-MNIST files cannot be read on the trainer: its log says why';
  }
  return "the training failed unexpectedly: the trainer's log says why";
}
