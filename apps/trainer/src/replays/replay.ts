import type { AgreementReport, ModelRef } from '#fmnist';
import type { PartitionRange } from '#platform';
import {
  FINISHED_STATES,
  JOB_STATES,
  type JobState,
} from '../training-jobs/training-job.js';

/** A replay goes through the states of a training job. */
export const REPLAY_STATES = JOB_STATES;
export type ReplayState = JobState;
export const FINISHED_REPLAY_STATES = FINISHED_STATES;

/**
 * Which recorded inputs to replay: the newest `last`, or those written from `from` to `to`, of
 * `fashion-images` (the gateways' requests) or of a streaming path's input topic, whose answers
 * are on `predictions`.
 */
export interface ReplaySource {
  topic: string;
  predictions?: string;
  last?: number;
  from?: string;
  to?: string;
}

export interface ReplayProgress {
  /** Recorded messages read so far, of about `total` in the range. */
  read: number;
  total: number;
  /** Images classified by the replayed model and compared with what was answered. */
  compared: number;
}

export interface Percentiles {
  p50: number;
  p99: number;
}

export interface ClassChange {
  label: string;
  /** Images the served model put in this class. */
  served: number;
  /** Images the replayed model put in it. */
  replayed: number;
}

export interface ReplayReport extends AgreementReport {
  /** Distinct requests in the range (a request the gateway sent again counts once). */
  requests: number;
  /** Of them, those with a recorded answer, which alone are compared. */
  answered: number;
  /** Messages of the range that are no classification request (they went to the dead letters). */
  invalid: number;
  /** Which versions gave the recorded answers, in images. */
  servedBy: { model: ModelRef; images: number }[];
  classChanges: ClassChange[];
  latency: {
    /** The recorded answers' model calls, as the classifiers timed them. */
    servedInferenceMs?: Percentiles;
    /** The replay's model calls, at low priority and `batchSize` images at most. */
    replayInferenceMs?: Percentiles;
    replayImagesPerSecond: number;
  };
  /** The offsets read, per partition of the topic. */
  partitions: PartitionRange[];
}

export interface Replay {
  id: string;
  state: ReplayState;
  model: ModelRef;
  source: ReplaySource;
  batchSize: number;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  progress?: ReplayProgress;
  report?: ReplayReport;
  error?: string;
}

/** What `GET /v1/replays/:id/events` streams. */
export type ReplayEvent =
  | ({ type: 'state' } & Pick<Replay, 'id' | 'state' | 'error' | 'report'>)
  | ({ type: 'progress' } & ReplayProgress);

export function replayStateEvent(replay: Replay): ReplayEvent {
  const { id, state, error, report } = replay;
  return { type: 'state', id, state, error, report };
}
