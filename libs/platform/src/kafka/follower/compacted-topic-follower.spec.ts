import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import {
  Kafka,
  logLevel,
  Partitioners,
  type Admin,
  type Producer,
} from 'kafkajs';
import { testBrokers } from '#testing/test-kafka';
import { waitFor } from '#testing/wait-for';
import {
  CompactedTopicFollower,
  jsonMessage,
  type FollowedRecord,
} from './compacted-topic-follower.js';

/** What a follower applied, as `key=value` (`key=null` for a tombstone), in the order applied. */
const asText = (records: FollowedRecord[]) =>
  records.map(({ key, value }) => `${key}=${value?.toString() ?? 'null'}`);

describe('CompactedTopicFollower on the real broker', () => {
  const kafka = new Kafka({
    brokers: testBrokers().split(','),
    clientId: 'follower-spec',
    logLevel: logLevel.NOTHING,
  });
  const logger = new Logger('follower-spec');
  let admin: Admin;
  let producer: Producer;
  const followers: CompactedTopicFollower<unknown>[] = [];

  /** A compacted topic of two partitions holding `records` (`null`: a tombstone), written in order. */
  async function topicWith(records: [string, string | null][]) {
    const topic = `follower-${randomUUID()}`;
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: 2,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
    });
    for (const [key, value] of records) {
      await producer.send({ topic, messages: [{ key, value }] });
    }
    return topic;
  }

  /** A follower of `topic` that keeps what it applied; `apply` may add to that. */
  function followerOf(
    topic: string,
    apply: (record: FollowedRecord) => unknown = () => undefined,
  ) {
    const applied: FollowedRecord[] = [];
    const follower = new CompactedTopicFollower(
      kafka,
      {
        groupPrefix: 'follower-spec',
        topics: [topic],
        apply: (record) => {
          const result = apply(record);
          applied.push(record);
          return result;
        },
      },
      logger,
    );
    followers.push(follower);
    return { follower, applied };
  }

  before(async () => {
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
  });

  after(async () => {
    await Promise.all(followers.map((follower) => follower.stop()));
    await producer?.disconnect();
    await admin?.disconnect();
  });

  it('applies every record written before it started, tombstones included, before start resolves', async () => {
    const written: [string, string | null][] = [
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
      ['d', '4'],
      ['b', null],
      ['a', '5'],
    ];
    const topic = await topicWith(written);
    const { follower, applied } = followerOf(topic);
    await follower.start();

    assert.deepEqual(
      asText(applied).sort(),
      written.map(([key, value]) => `${key}=${value}`).sort(),
    );
    // Records of one key share a partition: they come in the order written.
    const valuesOf = (key: string) =>
      applied
        .filter((record) => record.key === key)
        .map(({ value }) => value?.toString() ?? null);
    assert.deepEqual(valuesOf('a'), ['1', '5']);
    assert.deepEqual(valuesOf('b'), ['2', null]);
  });

  it('resolves start at once on topics that hold nothing', async () => {
    const { follower, applied } = followerOf(await topicWith([]));
    await follower.start();
    assert.deepEqual(applied, []);
  });

  it('follows records written after it is ready', async () => {
    const topic = await topicWith([['a', '1']]);
    const { follower, applied } = followerOf(topic);
    await follower.start();
    await producer.send({
      topic,
      messages: [
        { key: 'b', value: '2' },
        { key: 'a', value: null },
      ],
    });
    await waitFor(() => Promise.resolve(applied.length === 3));
    assert.deepEqual(asText(applied).sort(), ['a=1', 'a=null', 'b=2']);
  });

  it('reads its own write back before sendAndSee resolves, with what apply returned for it', async () => {
    const topic = await topicWith([['a', '1']]);
    const { follower, applied } = followerOf(
      topic,
      ({ key, offset }) => `${key}@${offset}`,
    );
    await follower.start();

    const echo = await follower.sendAndSee(topic, jsonMessage('b', { n: 2 }));
    assert.deepEqual(asText(applied).at(-1), 'b={"n":2}');
    assert.equal(echo, `b@${applied.at(-1)?.offset}`);

    const tombstone = await follower.sendAndSee(topic, jsonMessage('b', null));
    assert.deepEqual(asText(applied).at(-1), 'b=null');
    assert.equal(tombstone, `b@${applied.at(-1)?.offset}`);
  });

  it('runs again after a consumer crash kafkajs does not restart from, handing over the record it crashed on and none twice', async () => {
    const topic = await topicWith([
      ['a', '1'],
      ['b', '2'],
    ]);
    let handings = 0;
    const { follower, applied } = followerOf(topic, ({ key }) => {
      // A TypeError is one of the errors kafkajs neither retries nor restarts the consumer for.
      if (key === 'bug' && handings++ === 0) {
        throw new TypeError('a bug met once');
      }
    });
    await follower.start();
    await producer.send({ topic, messages: [{ key: 'bug', value: '3' }] });
    await producer.send({ topic, messages: [{ key: 'c', value: '4' }] });

    await waitFor(() => Promise.resolve(applied.length === 4));
    assert.equal(handings, 2, 'the record was not handed over again');
    assert.deepEqual(asText(applied).sort(), ['a=1', 'b=2', 'bug=3', 'c=4']);
    const where = applied.map(
      ({ partition, offset }) => `${partition}@${offset}`,
    );
    assert.equal(new Set(where).size, where.length, where.join(', '));
  });

  it('leaves no consumer group behind once stopped', async () => {
    const { follower } = followerOf(await topicWith([['a', '1']]));
    await follower.start();
    const groups = async () =>
      (await admin.listGroups()).groups.map(({ groupId }) => groupId);
    assert.ok((await groups()).includes(follower.groupId));

    await follower.stop();
    assert.ok(!(await groups()).includes(follower.groupId));
  });
});
