import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { lastValueFrom } from 'rxjs';
import { WorkerProcess, workerEnvironment } from './worker-process.js';
import type { WorkerTask } from './worker/worker-protocol.js';

describe('the training worker process', () => {
  it("sees how to run, never the trainer's secrets", () => {
    const env = workerEnvironment({
      PATH: '/usr/bin',
      HOME: '/home/trainer',
      TF_NUM_INTEROP_THREADS: '1',
      TRAINER_API_KEY: 'k'.repeat(32),
      KAFKA_SASL_PASSWORD: 'secret',
      KAFKA_BROKERS: 'kafka:9092',
    });
    assert.deepEqual(env, {
      TF_CPP_MIN_LOG_LEVEL: '2',
      PATH: '/usr/bin',
      HOME: '/home/trainer',
      TF_NUM_INTEROP_THREADS: '1',
    });
  });

  it('fails its messages, instead of ending the trainer, when its process cannot start', async () => {
    const worker = new WorkerProcess({} as WorkerTask, (_entry, options) =>
      spawn('/nonexistent/node', [], options),
    );
    await assert.rejects(
      lastValueFrom(worker.messages),
      /^Error: the training worker could not start \(ENOENT\)$/,
    );
    assert.equal(worker.running, false);
    await worker.kill();
  });
});
