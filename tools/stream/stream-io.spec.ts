import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Producer, ProducerRecord } from 'kafkajs';
import {
  BYTES_PER_SEND,
  MESSAGES_PER_SEND,
  produceInputs,
  type InputSource,
} from './stream-io.js';

/** What produceInputs hands Kafka, request by request (the broker itself is in the e2e suites). */
function recordingProducer(onSend: () => void) {
  const requests: ProducerRecord[] = [];
  const producer = {
    send: (record: ProducerRecord) => {
      requests.push(record);
      onSend();
      return Promise.resolve([]);
    },
  } as unknown as Producer;
  return { producer, requests };
}

describe('produceInputs', () => {
  it('reads a source only as far as the request being built: memory holds one request', async () => {
    let read = 0;
    let sent = 0;
    let mostHeld = 0;
    const { producer, requests } = recordingProducer(() => {
      sent = read;
    });
    const source: InputSource = {
      length: 1000,
      read: (index) => {
        read++;
        mostHeld = Math.max(mostHeld, read - sent);
        return Promise.resolve({ key: `k${index}`, value: Buffer.alloc(784) });
      },
    };
    await produceInputs(producer, 'topic', source);
    assert.equal(mostHeld, MESSAGES_PER_SEND);
    assert.deepEqual(
      requests.flatMap((request) => request.messages.map((m) => m.key)),
      Array.from({ length: 1000 }, (_, index) => `k${index}`),
    );
  });

  it('bounds the bytes of a request; a file larger than the bound goes alone', async () => {
    const { producer, requests } = recordingProducer(() => undefined);
    const sizes = [6, 6, 6, 20, 1, 1].map((mb) => mb * 1024 * 1024);
    await produceInputs(
      producer,
      'topic',
      sizes.map((size, index) => ({
        key: `k${index}`,
        value: Buffer.alloc(size),
      })),
    );
    assert.deepEqual(
      requests.map((request) => request.messages.map((m) => m.key)),
      [['k0', 'k1'], ['k2'], ['k3'], ['k4', 'k5']],
    );
    for (const request of requests.filter((r) => r.messages.length > 1)) {
      const bytes = request.messages.reduce(
        (sum, m) => sum + (m.value as Buffer).length,
        0,
      );
      assert.ok(bytes <= BYTES_PER_SEND);
    }
  });
});
