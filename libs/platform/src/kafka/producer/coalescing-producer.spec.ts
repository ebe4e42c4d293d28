import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { testBrokers } from '#testing/test-kafka';
import {
  coalescingProducer,
  ProducerQueueFullError,
} from './coalescing-producer.js';

describe('coalescingProducer on the real broker', () => {
  const kafka = new Kafka({
    brokers: testBrokers().split(','),
    clientId: 'coalescing-producer-spec',
    logLevel: logLevel.NOTHING,
  });
  const topic = `coalescing-${randomUUID()}`;
  const smallTopic = `coalescing-small-${randomUUID()}`;
  const closingTopic = `coalescing-closing-${randomUUID()}`;
  let producer: Producer;
  let produceRequests = 0;

  before(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic, numPartitions: 2 },
        { topic: closingTopic },
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

  it('fails only the refused send: the others coalesced with it are written', async () => {
    const outcomes = await Promise.allSettled(
      ['fine-1', 'x'.repeat(4096), 'fine-2'].map((value) =>
        producer.send({ topic: smallTopic, messages: [{ value }] }),
      ),
    );
    assert.deepEqual(
      outcomes.map(({ status }) => status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.deepEqual(await consumedValues(2, smallTopic), ['fine-1', 'fine-2']);
  });

  it('writes small messages whose coalesced batch is over the partition limit', async () => {
    // Three messages of 600 bytes fit the topic's 1024 bytes one by one, not as one batch.
    const values = ['a', 'b', 'c'].map((letter) => letter.repeat(600));
    const outcomes = await Promise.allSettled(
      values.map((value) =>
        producer.send({ topic: smallTopic, messages: [{ value }] }),
      ),
    );
    assert.ok(outcomes.every(({ status }) => status === 'fulfilled'));
  });

  it('refuses a send at once when its queue is full, and takes sends again once it drains', async () => {
    const bounded = coalescingProducer(kafka.producer(), { maxQueuedSends: 4 });
    await bounded.connect();
    try {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, index) =>
          bounded.send({ topic, messages: [{ value: `bounded-${index}` }] }),
        ),
      );
      assert.equal(
        outcomes.filter(({ status }) => status === 'fulfilled').length,
        4,
      );
      for (const outcome of outcomes.slice(4)) {
        assert.equal(outcome.status, 'rejected');
        assert.ok(outcome.reason instanceof ProducerQueueFullError);
      }
      await bounded.send({ topic, messages: [{ value: 'after' }] });
    } finally {
      await bounded.disconnect();
    }
  });

  describe('lingering while more sends are coming', () => {
    // Far above a produce round trip, even on a loaded machine.
    const LINGER_MS = 1000;
    let coming: boolean;
    let lingering: Producer;
    let lingeringRequests = 0;

    before(async () => {
      const inner = kafka.producer();
      inner.on(inner.events.REQUEST, ({ payload }) => {
        if (payload.apiName === 'Produce') lingeringRequests++;
      });
      lingering = coalescingProducer(inner, {
        moreSendsComing: () => coming,
        lingerMs: LINGER_MS,
      });
      await lingering.connect();
    });

    after(() => lingering?.disconnect());

    const sendAfter = async (delayMs: number, value: string) => {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const sent = performance.now();
      await lingering.send({ topic, messages: [{ value }] });
      return performance.now() - sent;
    };

    it('holds sends that trickle in for the ones coming, up to its linger, in one request', async () => {
      coming = true;
      lingeringRequests = 0;
      const started = performance.now();
      await Promise.all(
        [0, 40, 80].map((delay) => sendAfter(delay, 'trickle')),
      );
      assert.equal(lingeringRequests, 1);
      // Timers may fire a millisecond early by this clock.
      assert.ok(performance.now() - started >= LINGER_MS - 5);
    });

    it('sends at once when nothing more is coming', async () => {
      coming = false;
      lingeringRequests = 0;
      const waited = await sendAfter(0, 'alone');
      assert.equal(lingeringRequests, 1);
      assert.ok(waited < LINGER_MS, `waited ${waited.toFixed(0)} ms`);
    });

    it('stops lingering as soon as the last one expected has come', async () => {
      coming = true;
      lingeringRequests = 0;
      const first = sendAfter(0, 'first');
      const last = sendAfter(40, 'last');
      setTimeout(() => (coming = false), 30);
      const [firstWaited] = await Promise.all([first, last]);
      assert.equal(lingeringRequests, 1);
      assert.ok(firstWaited < LINGER_MS, `waited ${firstWaited.toFixed(0)} ms`);
    });
  });

  it('sends what it was handed before it disconnects', async () => {
    const closing = coalescingProducer(kafka.producer());
    await closing.connect();
    const values = Array.from({ length: 20 }, (_, index) => `closing-${index}`);
    // Handed over without waiting, as Nest's servers send their replies, then disconnected.
    const sends = values.map((value) =>
      closing.send({ topic: closingTopic, messages: [{ value }] }),
    );
    await closing.disconnect();
    const outcomes = await Promise.allSettled(sends);
    assert.ok(outcomes.every(({ status }) => status === 'fulfilled'));
    assert.deepEqual(
      await consumedValues(values.length, closingTopic),
      values.sort(),
    );
  });

  async function consumedValues(
    count: number,
    from = topic,
  ): Promise<string[]> {
    const consumer = kafka.consumer({ groupId: `spec-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: from, fromBeginning: true });
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
