import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { describeAppLifecycle } from '#testing/app-lifecycle';

// The shared lifecycle checks start the trainer with this process's environment: keep its records
// in a folder of its own, and keep it from training a default model on an empty test registry.
const dataDir = await mkdtemp(join(tmpdir(), 'fashion-trainer-lifecycle-'));
process.env.TRAINER_DATA_DIR = dataDir;
process.env.TRAIN_DEFAULT_MODEL_ON_START = 'false';
after(() => rm(dataDir, { recursive: true, force: true }));

describeAppLifecycle('trainer', (trainer) => {
  it('counts its jobs by state in /metrics', async () => {
    const metrics = await (await fetch(`${trainer().url}/metrics`)).text();
    for (const state of [
      'queued',
      'running',
      'succeeded',
      'failed',
      'cancelled',
    ]) {
      assert.match(
        metrics,
        new RegExp(`^trainer_jobs\\{state="${state}"[^}]*\\} \\d+$`, 'm'),
      );
    }
  });
});
