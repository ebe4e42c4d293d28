import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expiredJobs } from './job-retention.js';
import type { JobState, TrainingJob } from './training-job.js';

const DAY = 24 * 3600 * 1000;
const now = Date.parse('2026-06-01T00:00:00Z');

function job(id: string, state: JobState, finishedDaysAgo?: number) {
  return {
    id,
    state,
    createdAt: new Date(now - 100 * DAY).toISOString(),
    finishedAt:
      finishedDaysAgo === undefined
        ? undefined
        : new Date(now - finishedDaysAgo * DAY).toISOString(),
  } as TrainingJob;
}

describe('which job records expire', () => {
  it('keeps the most recently finished up to the count, forgetting the others', () => {
    const jobs = [
      job('old', 'succeeded', 3),
      job('newest', 'failed', 1),
      job('middle', 'cancelled', 2),
    ];
    assert.deepEqual(
      expiredJobs(jobs, { maxFinished: 2, maxAgeMs: 30 * DAY }, now),
      ['old'],
    );
  });

  it('forgets a finished job older than the age limit, however few there are', () => {
    const jobs = [job('stale', 'succeeded', 31), job('recent', 'failed', 29)];
    assert.deepEqual(
      expiredJobs(jobs, { maxFinished: 100, maxAgeMs: 30 * DAY }, now),
      ['stale'],
    );
  });

  it('never forgets a queued or running job, whatever its age', () => {
    const jobs = [job('waiting', 'queued'), job('training', 'running')];
    assert.deepEqual(
      expiredJobs(jobs, { maxFinished: 1, maxAgeMs: DAY }, now),
      [],
    );
  });
});
