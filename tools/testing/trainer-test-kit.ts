import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppProcess } from '../launcher/app-process.js';
import { startTestApp } from './test-apps.js';
import type { JobEvent } from '../../apps/trainer/src/training-jobs/job-event.js';
import type {
  JobState,
  TrainingJob,
} from '../../apps/trainer/src/training-jobs/training-job.js';

export interface TrainerFolders {
  dataDir: string;
  dataRoot: string;
  remove(): Promise<void>;
}

/** Folders of a trainer of the tests' own: its job records and its dataset root. */
export async function trainerFolders(): Promise<TrainerFolders> {
  const base = await mkdtemp(join(tmpdir(), 'fashion-trainer-test-'));
  return {
    dataDir: join(base, 'data'),
    dataRoot: join(base, 'datasets'),
    remove: () => rm(base, { recursive: true, force: true }),
  };
}

/** A trainer that trains nothing by itself: the suites decide what it trains. */
export function startTrainer(
  folders: TrainerFolders,
  env: NodeJS.ProcessEnv = {},
): Promise<AppProcess> {
  return startTestApp('trainer', {
    TRAINER_DATA_DIR: folders.dataDir,
    TRAINER_DATA_ROOT: folders.dataRoot,
    TRAIN_DEFAULT_MODEL_ON_START: 'false',
    ...env,
  });
}

/**
 * Waits for every app start, then throws the first failure: by then each app that did start has
 * been kept by its caller (`.then((app) => (x = app))`), so that `after` can stop it.
 */
export async function allStarted(starts: Promise<unknown>[]): Promise<void> {
  for (const result of await Promise.allSettled(starts)) {
    if (result.status === 'rejected') throw result.reason;
  }
}

/** A JSON request to `app` (the trainer, or the gateway that forwards to it). */
export async function request<T>(
  app: AppProcess,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(`${app.url}${path}`, {
    method,
    headers:
      body === undefined
        ? headers
        : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as T,
    headers: response.headers,
  };
}

export async function submitJob(
  app: AppProcess,
  parameters: object,
  headers: Record<string, string> = {},
): Promise<TrainingJob> {
  const { status, body } = await request<TrainingJob & { message?: string }>(
    app,
    'POST',
    '/v1/training-jobs',
    parameters,
    headers,
  );
  assert.equal(status, 201, JSON.stringify(body.message));
  return body;
}

export function getJob(trainer: AppProcess, id: string): Promise<TrainingJob> {
  return request<TrainingJob>(trainer, 'GET', `/v1/training-jobs/${id}`).then(
    ({ body }) => body,
  );
}

/** Polls the job until `done` says so. */
export async function waitForJob(
  trainer: AppProcess,
  id: string,
  done: (job: TrainingJob) => boolean,
  timeoutMs = 120_000,
): Promise<TrainingJob> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob(trainer, id);
    if (done(job)) return job;
    if (Date.now() > deadline) {
      assert.fail(`job ${id} still ${job.state} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export const isFinished = (job: TrainingJob): boolean =>
  (['succeeded', 'failed', 'cancelled'] as JobState[]).includes(job.state);

/** Reads a job's event stream to its end, parsing each `data:` line. */
export function readEvents(
  trainer: AppProcess,
  id: string,
): Promise<JobEvent[]> {
  return readEventStream<JobEvent>(trainer, `/v1/training-jobs/${id}/events`);
}

/** Reads the server-sent event stream at `path` to its end, parsing each `data:` line. */
export async function readEventStream<T>(
  app: AppProcess,
  path: string,
): Promise<T[]> {
  const response = await fetch(`${app.url}${path}`);
  assert.equal(response.status, 200);
  assert.match(
    response.headers.get('content-type') ?? '',
    /^text\/event-stream/,
  );
  let text = '';
  const decoder = new TextDecoder();
  for await (const chunk of response.body!) {
    text += decoder.decode(chunk as Uint8Array, { stream: true });
  }
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice('data: '.length)) as T);
}

/**
 * Whether a process with this id is still running. A zombie (ended, not yet reaped) is not: an
 * orphan is reaped by whatever adopts it, which in a container may be slow to do so or never.
 */
export function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
  const status = readProcStatus(pid);
  return status === undefined || !/^State:\s+Z/m.test(status);
}

/** /proc/<pid>/status where there is a /proc (Linux), undefined elsewhere or when it is gone. */
function readProcStatus(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
}

/** Polls until the process has ended; fails after `timeoutMs`, so that nothing hangs. */
export async function waitForProcessEnd(
  pid: number,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (processRunning(pid)) {
    if (Date.now() > deadline) {
      assert.fail(`process ${pid} still runs after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
