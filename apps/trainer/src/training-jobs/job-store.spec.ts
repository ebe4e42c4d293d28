import type { ConfigService } from '@nestjs/config';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { TrainerEnvironment } from '../config/trainer.environment.js';
import { JobStore } from './job-store.js';
import type { TrainingJob } from './training-job.js';

describe('the job records file (jobs.json)', () => {
  let folder: string;
  let store: JobStore;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'job-store-'));
    store = new JobStore({
      get: () => folder,
    } as unknown as ConfigService<TrainerEnvironment, true>);
  });

  afterEach(() => rm(folder, { recursive: true, force: true }));

  it('reads back what was saved, and nothing but the file is left', async () => {
    const jobs = [{ id: 'a', state: 'succeeded' }] as TrainingJob[];
    await store.save(jobs);
    assert.deepEqual(await store.load(), jobs);
    assert.deepEqual(await readdir(folder), ['jobs.json']);
  });

  for (const [what, content] of [
    ['empty', ''],
    ['corrupt', '[{"id": "a", "sta'],
    ['not a list', '{"id": "a"}'],
  ]) {
    it(`keeps an ${what} file aside and starts with no jobs, instead of refusing to start`, async () => {
      await writeFile(store.location, content);
      assert.deepEqual(await store.load(), []);
      const [aside, ...others] = await readdir(folder);
      assert.deepEqual(others, []);
      assert.match(aside, /^jobs\.json\.corrupt-\d+$/);
      assert.equal(await readFile(join(folder, aside), 'utf8'), content);
    });
  }
});
