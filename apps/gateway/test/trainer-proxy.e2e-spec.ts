import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type AppProcess } from '#testing/test-apps';
import {
  startTrainer,
  trainerFolders,
  type TrainerFolders,
} from '#testing/trainer-test-kit';

/** Only keeps a broken forward from hanging the suite; the answers come at once. */
const ANSWER_BOUND_MS = 15_000;

describe("the trainer's API forwarded by the gateway", () => {
  let folders: TrainerFolders;
  let trainer: AppProcess;
  let gateway: AppProcess;

  before(async () => {
    folders = await trainerFolders();
    trainer = await startTrainer(folders, { TRAINER_MAX_EPOCHS: '2' });
    gateway = await startTestApp('gateway', { TRAINER_URL: trainer.url });
  });

  after(async () => {
    await Promise.all([gateway?.stop(), trainer?.stop()]);
    await folders?.remove();
  });

  // Media types are case-insensitive (RFC 9110, 8.3.1): the gateway's JSON parser reads these
  // bodies, so the forward must send on what it read.
  for (const type of ['APPLICATION/JSON', 'Application/Json; charset=utf-8']) {
    it(`forwards a JSON body sent as ${type}`, async () => {
      const response = await fetch(`${gateway.url}/v1/training-jobs`, {
        method: 'POST',
        headers: { 'content-type': type },
        body: JSON.stringify({ epochs: 3 }),
        signal: AbortSignal.timeout(ANSWER_BOUND_MS),
      });
      const body = (await response.json()) as { message: string[] };
      assert.equal(response.status, 400);
      assert.deepEqual(body.message, [
        'epochs must not be greater than 2 (TRAINER_MAX_EPOCHS)',
      ]);
    });
  }
});
