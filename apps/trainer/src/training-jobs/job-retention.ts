import { FINISHED_STATES, type TrainingJob } from './training-job.js';

export interface RetentionLimits {
  /** Finished jobs kept at most, the most recently finished. */
  maxFinished: number;
  /** Age at which a finished job's record is forgotten. */
  maxAgeMs: number;
}

/**
 * The ids of the finished jobs whose records are no longer kept: those finished longer ago than
 * the age limit, and the oldest beyond the count. Queued and running jobs are always kept.
 */
export function expiredJobs(
  jobs: Iterable<TrainingJob>,
  { maxFinished, maxAgeMs }: RetentionLimits,
  now = Date.now(),
): string[] {
  const finished = [...jobs]
    .filter((job) => FINISHED_STATES.includes(job.state))
    .map((job) => ({ id: job.id, at: finishedAt(job) }))
    .sort((a, b) => b.at - a.at);
  return finished
    .filter((job, rank) => rank >= maxFinished || now - job.at > maxAgeMs)
    .map((job) => job.id);
}

/** When the job finished; a record without the time (never written so) counts as its creation. */
function finishedAt(job: TrainingJob): number {
  return Date.parse(job.finishedAt ?? job.createdAt) || 0;
}
