import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { encodePng, Topics } from '#fmnist';
import type { AppProcess } from '#testing/test-apps';
import { officialTestImages } from '#testing/fixture-images';
import { postImage, startTestApp } from '#testing/test-apps';
import { testBrokers } from '#testing/test-kafka';

const UUID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('the Kafka key of a classification request', () => {
  const requestId = `pinned-${randomUUID()}`;
  const keys: string[] = [];
  let consumer: Consumer;
  let gateway: AppProcess;

  before(async () => {
    consumer = new Kafka({
      brokers: testBrokers().split(','),
      clientId: 'message-key-e2e',
      logLevel: logLevel.NOTHING,
    }).consumer({ groupId: `message-key-e2e-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: Topics.images, fromBeginning: true });
    const joined = new Promise((resolve) =>
      consumer.on(consumer.events.GROUP_JOIN, resolve),
    );
    await consumer.run({
      eachMessage: ({ message }) => {
        // Other suites leave messages that are not JSON (the poison-message tests).
        if (message.value?.toString().includes(requestId)) {
          keys.push(String(message.key));
        }
        return Promise.resolve();
      },
    });
    await joined;
    // No classifier runs: each request goes to Kafka and is answered 504 after this, sent once
    // (unanswered requests are otherwise sent again, each time with a key of its own).
    gateway = await startTestApp('gateway', {
      CLASSIFY_TIMEOUT_MS: '2000',
      CLASSIFY_RESEND_MIN_MS: '0',
    });
  });

  after(async () => {
    await Promise.all([gateway?.stop(), consumer?.disconnect()]);
  });

  it("is the gateway's own for each request, not the client's x-request-id", async () => {
    const [image] = await officialTestImages(1);
    const png = await encodePng(image.pixels);
    for (let i = 0; i < 2; i++) {
      const response = await postImage(gateway, png, {
        headers: { 'x-request-id': requestId },
      });
      assert.equal(response.headers.get('x-request-id'), requestId);
      await response.arrayBuffer();
      assert.equal(response.status, 504, 'sent to Kafka, unanswered');
    }
    const deadline = Date.now() + 30_000;
    while (keys.length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(keys.length, 2, 'the requests did not reach Kafka');
    for (const key of keys) assert.match(key, UUID);
    assert.notEqual(keys[0], keys[1], 'two requests shared a key');
  });
});
