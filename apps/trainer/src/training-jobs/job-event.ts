import type {
  BatchProgress,
  EpochMetrics,
  TrainingJob,
} from './training-job.js';

/** What `GET /v1/training-jobs/:id/events` streams, one JSON object per `data:` line. */
export type JobEvent =
  | ({ type: 'state' } & Pick<
      TrainingJob,
      'id' | 'state' | 'error' | 'result' | 'timings'
    >)
  | ({ type: 'loaded' } & NonNullable<TrainingJob['dataset']>)
  | ({ type: 'batch'; epochs: number } & BatchProgress)
  | ({ type: 'epoch'; epochs: number } & EpochMetrics)
  | { type: 'evaluating' }
  /** The model is being published: from now on the job can no longer be cancelled. */
  | { type: 'publishing' };

export function stateEvent(job: TrainingJob): JobEvent {
  return {
    type: 'state',
    id: job.id,
    state: job.state,
    error: job.error,
    result: job.result,
    timings: job.timings,
  };
}
