import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AppProcess } from '#testing/test-apps';
import { startTestApp } from '#testing/test-apps';
import type { TrainingJob } from '../src/training-jobs/training-job.js';
import {
  allStarted,
  request,
  startTrainer,
  submitJob,
  trainerFolders,
  type TrainerFolders,
} from '#testing/trainer-test-kit';

/** A job that runs long enough for its stream to stay open through the test; cancelled after. */
const LONG_JOB = { dataset: { kind: 'fmnist', trainLimit: 500 }, epochs: 50 };

interface Stream {
  status: number;
  message?: string;
  close(): void;
}

describe('server-sent event streams, capped per client and in all', () => {
  let folders: TrainerFolders;
  let trainer: AppProcess;
  let gateway: AppProcess;
  let job: TrainingJob;
  const streams: Stream[] = [];

  /** Opens the job's event stream from `client` (what a proxy on this machine would say). */
  const open = async (app: AppProcess, client?: string): Promise<Stream> => {
    const controller = new AbortController();
    const response = await fetch(
      `${app.url}/v1/training-jobs/${job.id}/events`,
      {
        headers: client ? { 'x-forwarded-for': client } : {},
        signal: controller.signal,
      },
    );
    const stream: Stream = {
      status: response.status,
      close: () => controller.abort(),
    };
    if (response.ok) {
      streams.push(stream);
    } else {
      stream.message = ((await response.json()) as { message: string }).message;
    }
    return stream;
  };

  /** Retries until a stream opens: a closed one is released when the server sees it close. */
  const openOnceReleased = async (app: AppProcess, client?: string) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const stream = await open(app, client);
      if (stream.status === 200 || Date.now() > deadline) return stream;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  before(async () => {
    folders = await trainerFolders();
    trainer = await startTrainer(folders, {
      MAX_EVENT_STREAMS: '3',
      MAX_EVENT_STREAMS_PER_CLIENT: '2',
    });
    await allStarted([
      startTestApp('gateway', {
        TRAINER_URL: trainer.url,
        MAX_EVENT_STREAMS_PER_CLIENT: '1',
      }).then((app) => (gateway = app)),
    ]);
    job = await submitJob(trainer, LONG_JOB);
  });

  after(async () => {
    streams.forEach((stream) => stream.close());
    if (job)
      await request(trainer, 'POST', `/v1/training-jobs/${job.id}/cancel`);
    await Promise.all([gateway?.stop(), trainer?.stop()]);
    await folders?.remove();
  });

  it('the gateway caps the streams it forwards to each client with a 429', async () => {
    const first = await open(gateway);
    assert.equal(first.status, 200);
    const second = await open(gateway);
    assert.equal(second.status, 429);
    assert.match(
      second.message ?? '',
      /too many event streams open from .*: at most 1 at once \(MAX_EVENT_STREAMS_PER_CLIENT\); close one first/,
    );
    first.close();
    assert.equal((await openOnceReleased(gateway)).status, 200);
    streams.forEach((stream) => stream.close());
  });

  it('the trainer refuses a client over its share (429), then everyone when all are taken (503)', async () => {
    const a1 = await openOnceReleased(trainer);
    assert.equal(a1.status, 200);
    assert.equal((await open(trainer)).status, 200);
    const a3 = await open(trainer);
    assert.equal(a3.status, 429);
    assert.match(a3.message ?? '', /from 127\.0\.0\.1: at most 2 at once/);

    assert.equal((await open(trainer, '198.51.100.1')).status, 200);
    const full = await open(trainer, '198.51.100.2');
    assert.equal(full.status, 503);
    assert.match(
      full.message ?? '',
      /as many event streams open as it serves \(3, MAX_EVENT_STREAMS\); retry later/,
    );

    a1.close();
    assert.equal(
      (await openOnceReleased(trainer, '198.51.100.2')).status,
      200,
      'a closed stream was not released',
    );
  });
});
