import type { ModelRef, TestSetMetrics } from '#fmnist';

export const JOB_STATES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
] as const;
export type JobState = (typeof JOB_STATES)[number];

export const FINISHED_STATES: readonly JobState[] = [
  'succeeded',
  'failed',
  'cancelled',
];

/** The dataset as the client named it (a folder relative to the data root). */
export type DatasetSpec =
  | { kind: 'fmnist'; trainLimit?: number }
  | { kind: 'folder'; path: string; testSplit: number };

/** The parameters a job runs with, defaults filled in, so a job can be reproduced from its record. */
export interface TrainingParameters {
  dataset: DatasetSpec;
  architecture: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  validationSplit: number;
  labelSmoothing: number;
  earlyStopping?: { patience: number; minDelta: number };
  seed: number;
  modelName: string;
  promote: boolean;
}

export interface BatchProgress {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  accuracy: number;
}

export interface EpochMetrics {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  durationMs: number;
}

export interface TrainingJob {
  id: string;
  state: JobState;
  parameters: TrainingParameters;
  /** Why the job was queued when no client asked for it (the first-start default model). */
  origin: 'api' | 'default-model';
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** Process id of the worker while the job runs. */
  workerPid?: number;
  dataset?: {
    trainImages: number;
    validationImages: number;
    testImages: number;
  };
  /** The latest batch reported, while the job trains. */
  progress?: BatchProgress;
  epochs: EpochMetrics[];
  stoppedEarly?: boolean;
  timings?: {
    loadMs?: number;
    trainMs?: number;
    evaluateMs?: number;
    totalMs?: number;
  };
  result?: { model: ModelRef; promoted: boolean; metrics: TestSetMetrics };
  error?: string;
}
