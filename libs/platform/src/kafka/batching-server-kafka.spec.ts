import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { testBrokers } from '#testing/test-kafka';
import { waitFor } from '#testing/wait-for';
import {
  BatchingServerKafka,
  MESSAGES_HANDLED_AT_ONCE,
} from './batching-server-kafka.js';

/** The broker's least session timeout (group.min.session.timeout.ms). */
const SESSION_TIMEOUT_MS = 6000;

describe('BatchingServerKafka on the real broker', () => {
  const kafka = new Kafka({
    brokers: testBrokers().split(','),
    clientId: 'batching-server-spec',
    logLevel: logLevel.NOTHING,
  });
  const servers: BatchingServerKafka[] = [];

  /** A topic of one partition holding `count` messages, numbered (none: an empty topic). */
  const topicWith = async (count: number): Promise<string> => {
    const topic = `batching-server-${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
    await admin.disconnect();
    if (count === 0) return topic;
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: count }, (_, index) => ({
        value: JSON.stringify(index),
      })),
    });
    await producer.disconnect();
    return topic;
  };

  /** A server consuming `topic` in a group of its own, `handle` called on every message. */
  const serve = async (
    topic: string,
    handle: (index: number) => Promise<void>,
    {
      groupId = `batching-server-spec-${randomUUID()}`,
      commitIntervalMs,
    }: { groupId?: string; commitIntervalMs?: number } = {},
  ): Promise<{ server: BatchingServerKafka; consumer: Consumer }> => {
    const server = new BatchingServerKafka({
      postfixId: '',
      client: {
        brokers: testBrokers().split(','),
        clientId: `batching-server-spec-${randomUUID()}`,
        logLevel: logLevel.NOTHING,
      },
      consumer: {
        groupId,
        sessionTimeout: SESSION_TIMEOUT_MS,
        heartbeatInterval: 500,
      },
      subscribe: { fromBeginning: true },
      run: { autoCommitInterval: commitIntervalMs },
    });
    servers.push(server);
    server.addHandler(topic, (value: string) => handle(Number(value)), true);
    // listen reports a failure to its callback; it resolves once the consumer runs.
    let failure: unknown;
    await server.listen((error) => (failure = error));
    if (failure) throw failure as Error;
    const [, consumer] = server.unwrap<[Kafka, Consumer]>();
    return { server, consumer };
  };

  /** The offset `groupId` has committed on partition 0 of `topic`. */
  const committed = async (groupId: string, topic: string) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [{ partitions }] = await admin.fetchOffsets({
        groupId,
        topics: [topic],
      });
      return Number(partitions[0].offset);
    } finally {
      await admin.disconnect();
    }
  };

  after(() => Promise.all(servers.map((server) => server.close())));

  it('keeps its session through a message handled for longer than the session timeout, handling it once', async () => {
    const topic = await topicWith(1);
    const started: number[] = [];
    let finished = false;
    const { consumer } = await serve(topic, async (index) => {
      started.push(index);
      await sleep(SESSION_TIMEOUT_MS * 1.5);
      finished = true;
    });
    let joins = 0;
    consumer.on(consumer.events.GROUP_JOIN, () => joins++);

    await waitFor(() => Promise.resolve(finished), 30_000);
    // Long enough for an expired session to be noticed and the message to come again.
    await sleep(SESSION_TIMEOUT_MS);
    assert.deepEqual(started, [0], 'handled again after a rebalance');
    assert.ok(joins <= 1, `the consumer joined its group ${joins} times`);
  });

  it(`handles at most ${MESSAGES_HANDLED_AT_ONCE} messages of a fetched batch at once, each once`, async () => {
    const count = MESSAGES_HANDLED_AT_ONCE * 3;
    const topic = await topicWith(count);
    const handled = new Map<number, number>();
    let inFlight = 0;
    let mostInFlight = 0;
    await serve(topic, async (index) => {
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      await sleep(20);
      inFlight--;
      handled.set(index, (handled.get(index) ?? 0) + 1);
    });

    await waitFor(() => Promise.resolve(handled.size === count), 30_000);
    assert.ok(
      mostInFlight <= MESSAGES_HANDLED_AT_ONCE,
      `${mostInFlight} messages handled at once`,
    );
    assert.ok(mostInFlight > 1, 'the messages were not handled concurrently');
    assert.ok([...handled.values()].every((times) => times === 1));
  });

  it('commits what it handled within its commit interval, not after every batch', async () => {
    const topic = await topicWith(0);
    const groupId = `batching-server-spec-${randomUUID()}`;
    const commitIntervalMs = 1000;
    let handled = 0;
    const { consumer } = await serve(
      topic,
      () => Promise.resolve(void handled++),
      {
        groupId,
        commitIntervalMs,
      },
    );
    let batches = 0;
    let commits = 0;
    consumer.on(consumer.events.END_BATCH_PROCESS, () => batches++);
    consumer.on(consumer.events.COMMIT_OFFSETS, () => commits++);
    const count = 40;
    const producer = kafka.producer();
    await producer.connect();
    const started = Date.now();
    // One message a produce, a little apart: each comes in a fetched batch of its own.
    for (let index = 0; index < count; index++) {
      await producer.send({ topic, messages: [{ value: String(index) }] });
      await sleep(25);
    }
    await producer.disconnect();
    await waitFor(() => Promise.resolve(handled === count), 30_000);
    await waitFor(
      async () => (await committed(groupId, topic)) === count,
      commitIntervalMs * 5,
    );

    const intervals = (Date.now() - started) / commitIntervalMs;
    assert.ok(
      batches >= count / 2,
      `only ${batches} batches for ${count} messages`,
    );
    assert.ok(
      commits <= intervals + 1,
      `${commits} commits for ${batches} batches in ${intervals.toFixed(1)} commit intervals`,
    );
  });

  it('commits what it handled when it closes, so its group goes on after it', async () => {
    const count = 20;
    const topic = await topicWith(count);
    const groupId = `batching-server-spec-${randomUUID()}`;
    let handled = 0;
    const { server } = await serve(
      topic,
      () => Promise.resolve(void handled++),
      {
        groupId,
        commitIntervalMs: 600_000,
      },
    );
    await waitFor(() => Promise.resolve(handled === count), 30_000);

    await server.close();
    servers.splice(servers.indexOf(server), 1);
    assert.equal(await committed(groupId, topic), count);
  });
});
