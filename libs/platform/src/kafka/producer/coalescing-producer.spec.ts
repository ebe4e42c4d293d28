import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { testBrokers } from '#testing/test-kafka';
import { coalescingProducer } from './coalescing-producer.js';

describe('coalescingProducer on the real broker', () => {
  const kafka = new Kafka({
    brokers: testBrokers().split(','),
    clientId: 'coalescing-producer-spec',
    logLevel: logLevel.NOTHING,
  });
  const topic = `coalescing-${randomUUID()}`;
  const smallTopic = `coalescing-small-${randomUUID()}`;
  let producer: Producer;
  let produceRequests = 0;

  before(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic, numPartitions: 2 },
        {
          topic: smallTopic,
          configEntries: [{ name: 'max.message.bytes', value: '1024' }],
        },
      ],
      waitForLeaders: true,
    });
    await admin.disconnect();
    const inner = kafka.producer();
    inner.on(inner.events.REQUEST, ({ payload }) => {
      if (payload.apiName === 'Produce') produceRequests++;
    });
    producer = coalescingProducer(inner);
    await producer.connect();
  });

  after(() => producer?.disconnect());

  const send = (value: string) =>
    producer.send({ topic, messages: [{ key: value, value }] });

  it('sends the messages of concurrent sends in one produce request', async () => {
    produceRequests = 0;
    const values = Array.from({ length: 40 }, (_, index) => `burst-${index}`);
    const results = await Promise.all(values.map(send));
    assert.equal(produceRequests, 1);
    for (const metadata of results) {
      assert.ok(metadata.length > 0);
      assert.ok(metadata.every(({ topicName }) => topicName === topic));
    }
    assert.deepEqual(await consumedValues(values.length), values.sort());
  });

  it('sends a lone message by itself, without waiting for company', async () => {
    produceRequests = 0;
    await send('alone');
    assert.equal(produceRequests, 1);
  });

  it('rejects each send of a request the broker refuses', async () => {
    const tooLarge = 'x'.repeat(4096);
    const outcomes = await Promise.allSettled(
      ['a', 'b'].map((key) =>
        producer.send({
          topic: smallTopic,
          messages: [{ key, value: tooLarge }],
        }),
      ),
    );
    for (const outcome of outcomes) {
      assert.equal(outcome.status, 'rejected');
      assert.match(String(outcome.reason), /larger than the max message size/);
    }
  });

  async function consumedValues(count: number): Promise<string[]> {
    const consumer = kafka.consumer({ groupId: `spec-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const values: string[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: ({ message }) => {
          values.push(String(message.value));
          if (values.length === count) resolve();
          return Promise.resolve();
        },
      });
    });
    await consumer.disconnect();
    return values.sort();
  }
});
