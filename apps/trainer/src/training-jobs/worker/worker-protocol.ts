import type { ModelArtifacts, TestSetMetrics } from '#fmnist';
import type {
  BatchProgress,
  EpochMetrics,
  TrainingParameters,
} from '../training-job.js';

/** What a worker trains on, with the folder already checked to lie inside the data root. */
export type WorkerDataset =
  | { kind: 'fmnist'; dir: string; trainLimit?: number }
  | { kind: 'folder'; dir: string; name: string; testSplit: number };

/**
 * Everything a worker needs for one training, sent once over IPC: the job's parameters, with the
 * dataset resolved; naming and promoting the model stay with the trainer.
 */
export type WorkerTask = Omit<
  TrainingParameters,
  'dataset' | 'modelName' | 'promote'
> & { dataset: WorkerDataset };

export interface DatasetSizes {
  trainImages: number;
  validationImages: number;
  testImages: number;
}

/** Messages a worker sends its parent, in this order: loaded, (batch | epoch)*, done or failed. */
export type WorkerMessage =
  | { type: 'loaded'; sizes: DatasetSizes; loadMs: number }
  | ({ type: 'batch' } & BatchProgress)
  | ({ type: 'epoch' } & EpochMetrics)
  | { type: 'evaluating' }
  | {
      type: 'done';
      artifacts: ModelArtifacts;
      metrics: TestSetMetrics;
      stoppedEarly: boolean;
      trainMs: number;
      evaluateMs: number;
    }
  /** `error` is for the job's clients; `detail`, which may name paths on the trainer, for its log. */
  | { type: 'failed'; error: string; detail: string };
