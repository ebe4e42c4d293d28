import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { testBrokers } from '#testing/test-kafka';

/**
 * kafkajs's per-connection request queue, reached by its file: the check it schedules is what
 * patches/kafkajs+2.2.4.patch changes, and nothing in kafkajs's API shows it.
 */
const { prototype: requestQueue } = createRequire(import.meta.url)(
  'kafkajs/src/network/requestQueue/index.js',
) as { prototype: { checkPendingRequests: (this: unknown) => void } };

describe('an idle Kafka connection', () => {
  let admin: Admin;

  before(async () => {
    admin = new Kafka({
      brokers: testBrokers().split(','),
      clientId: 'idle-connection-e2e',
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    await admin.listTopics();
  });
  after(() => admin?.disconnect());

  it('does not check its empty request queue every millisecond', async () => {
    // kafkajs 2.2.4 rescheduled the check after every check with a negative delay: a 1 ms timer
    // loop for as long as the connection lived, 4-5% of a core in every idle app (issue #1556).
    const checkPendingRequests = requestQueue.checkPendingRequests;
    let checks = 0;
    requestQueue.checkPendingRequests = function (this: unknown) {
      checks++;
      return checkPendingRequests.call(this);
    };
    try {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    } finally {
      requestQueue.checkPendingRequests = checkPendingRequests;
    }
    assert.ok(checks <= 1, `${checks} checks of an empty queue in 1 s`);
  });
});
