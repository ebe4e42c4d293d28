import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodePng } from '#fmnist';
import { officialTestImages } from '#testing/fixture-images';
import { postImage, startTestApp, type AppProcess } from '#testing/test-apps';
import { startOwnBroker, type OwnBroker } from '#testing/own-broker';

const TIMEOUT_MS = 1500;

describe('the gateway with no classifier running', () => {
  let gateway: AppProcess;
  let png: Buffer;
  // A broker of its own: on the shared one, a classifier of another suite might answer.
  let broker: OwnBroker;

  before(async () => {
    broker = await startOwnBroker();
    const [image] = await officialTestImages(1);
    png = await encodePng(image.pixels);
    gateway = await startTestApp('gateway', {
      KAFKA_BROKERS: broker.brokers,
      CLASSIFY_TIMEOUT_MS: String(TIMEOUT_MS),
    });
  });

  after(async () => {
    await gateway?.stop();
    await broker?.stop();
  });

  it('answers 504 with a message once the timeout passes, never hangs', async () => {
    const started = performance.now();
    const response = await postImage(gateway, png, {
      signal: AbortSignal.timeout(TIMEOUT_MS * 5),
    });
    const elapsed = performance.now() - started;
    assert.equal(response.status, 504);
    const body = (await response.json()) as { message: string };
    assert.match(body.message, /no classifier answered within 1500 ms/);
    assert.ok(elapsed >= TIMEOUT_MS, `answered after ${elapsed} ms`);
    assert.ok(elapsed < TIMEOUT_MS * 3, `answered only after ${elapsed} ms`);
  });
});
