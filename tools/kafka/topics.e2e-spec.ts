import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { after, before, describe, it } from 'node:test';
import kafkajs, { Kafka, logLevel, Partitioners, type Admin } from 'kafkajs';
import { DEFAULT_TOPIC_LAYOUT, topicSpecs, Topics } from '#fmnist';
import { ensureTopics, kafkaConnectionTo, withTimeout } from '#platform';
import { topicLayout } from './create-topics.js';
import { testBrokers } from '#testing/test-kafka';
import { waitFor } from '#testing/wait-for';

describe('the platform topics on a real broker', () => {
  const kafka = new Kafka({
    brokers: testBrokers().split(','),
    clientId: 'topics-e2e',
    logLevel: logLevel.ERROR,
  });
  let admin: Admin;
  // What `npm test` created the topics with: the environment's layout, 4 and 4 by default.
  const layout = topicLayout(kafkaConnectionTo(testBrokers()));
  const partitionsOf = async (topic: string) =>
    (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions
      .length;
  // What the topic has set of its own. A broker applies a config change after AlterConfigs has
  // answered, so a test reads until the change it made shows (`settled`).
  const setOnTopic = async (topic: string) => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic }],
    });
    return Object.fromEntries(
      resources[0].configEntries
        .filter(
          (entry) => entry.configSource === kafkajs.ConfigSource.TOPIC_CONFIG,
        )
        .map((entry) => [entry.configName, entry.configValue]),
    );
  };
  const settled = async (topic: string, expected: Record<string, string>) => {
    await waitFor(
      async () => isDeepStrictEqual(await setOnTopic(topic), expected),
      10_000,
    ).catch(() => undefined);
    return setOnTopic(topic);
  };

  before(async () => {
    admin = kafka.admin();
    await admin.connect();
  });
  after(() => admin.disconnect());

  it('lays out fashion-images and its replies as configured, 4 partitions each by default', async () => {
    assert.deepEqual(DEFAULT_TOPIC_LAYOUT, {
      imagePartitions: 4,
      replyPartitions: 4,
    });
    assert.equal(await partitionsOf(Topics.images), layout.imagePartitions);
    assert.equal(
      await partitionsOf(Topics.imagesReply),
      layout.replyPartitions,
    );
    assert.equal(
      await partitionsOf(Topics.imagesDeadLetter),
      layout.imagePartitions,
    );
  });

  it('grows a topic of a running cluster to a larger layout, and never shrinks one', async () => {
    const topic = `topics-e2e-grow-${randomUUID()}`;
    const spec = (numPartitions: number) => [{ topic, numPartitions }];
    try {
      assert.deepEqual(await ensureTopics(admin, spec(2)), {
        created: [topic],
        extended: [],
      });
      assert.deepEqual(await ensureTopics(admin, spec(6)), {
        created: [],
        extended: [topic],
      });
      assert.equal(await partitionsOf(topic), 6);
      assert.deepEqual(await ensureTopics(admin, spec(3)), {
        created: [],
        extended: [],
      });
      assert.equal(await partitionsOf(topic), 6);
    } finally {
      await admin.deleteTopics({ topics: [topic] });
    }
  });

  it('keeps the model registry compacted', async () => {
    const resources = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        {
          type: kafkajs.ConfigResourceTypes.TOPIC,
          name: Topics.models,
          configNames: ['cleanup.policy'],
        },
      ],
    });
    assert.equal(
      resources.resources[0].configEntries[0].configValue,
      'compact',
    );
  });

  it("keeps the requests of fashion-images (people's images) for KAFKA_REQUEST_RETENTION_MS, 1 day by default", async () => {
    assert.equal(
      topicLayout(kafkaConnectionTo(testBrokers())).requestRetentionMs,
      Number(process.env.KAFKA_REQUEST_RETENTION_MS ?? 24 * 3600 * 1000),
    );
    const configured = await setOnTopic(Topics.images);
    assert.equal(configured['retention.ms'], String(layout.requestRetentionMs));
    const twoHours = {
      ...configured,
      'retention.ms': String(2 * 3600 * 1000),
    };
    try {
      await ensureTopics(
        admin,
        topicSpecs({ ...layout, requestRetentionMs: 2 * 3600 * 1000 }),
      );
      assert.deepEqual(await settled(Topics.images, twoHours), twoHours);
    } finally {
      await ensureTopics(admin, topicSpecs(layout));
      await settled(Topics.images, configured);
    }
  });

  it('creates nothing the second time it runs', async () => {
    assert.deepEqual(await ensureTopics(admin, topicSpecs(layout)), {
      created: [],
      extended: [],
    });
  });

  it('keeps what an operator set on a topic when it runs again, and puts its own settings back', async () => {
    const topic = Topics.imagesDeadLetter;
    const operators = { name: 'segment.ms', value: String(6 * 3600 * 1000) };
    // AlterConfigs, as an operator's tool may send it, replaces the whole set: ours goes too.
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: kafkajs.ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [operators],
        },
      ],
    });

    const operatorsOnly = { [operators.name]: operators.value };
    assert.deepEqual(await settled(topic, operatorsOnly), operatorsOnly);

    await ensureTopics(admin, topicSpecs(DEFAULT_TOPIC_LAYOUT));

    const both = {
      ...operatorsOnly,
      'retention.ms': String(14 * 24 * 3600 * 1000),
    };
    assert.deepEqual(await settled(topic, both), both);
  });

  it('delivers what is produced to fashion-images to a consumer, on every partition', async () => {
    const runId = randomUUID();
    const producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    const consumer = kafka.consumer({ groupId: `topics-e2e-${runId}` });
    await Promise.all([producer.connect(), consumer.connect()]);
    try {
      await consumer.subscribe({ topic: Topics.images, fromBeginning: true });
      const received = new Map<string, number>();
      let resolveAll: () => void;
      const allReceived = new Promise<void>(
        (resolve) => (resolveAll = resolve),
      );
      await consumer.run({
        eachMessage: ({ partition, message }) => {
          const value = message.value?.toString() ?? '';
          if (value.startsWith(runId)) received.set(value, partition);
          if (received.size === layout.imagePartitions) resolveAll();
          return Promise.resolve();
        },
      });
      await producer.send({
        topic: Topics.images,
        messages: Array.from(
          { length: layout.imagePartitions },
          (_, partition) => ({
            partition,
            value: `${runId}:${partition}`,
          }),
        ),
      });
      await withTimeout(
        allReceived,
        30_000,
        'the produced messages did not all arrive',
      );
      assert.deepEqual(
        [...received.values()].sort((a, b) => a - b),
        Array.from({ length: layout.imagePartitions }, (_, index) => index),
      );
    } finally {
      await Promise.all([producer.disconnect(), consumer.disconnect()]);
    }
  });
});
