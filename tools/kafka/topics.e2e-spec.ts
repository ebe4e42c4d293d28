import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import kafkajs, { Kafka, logLevel, Partitioners, type Admin } from 'kafkajs';
import { IMAGE_PARTITIONS, TOPIC_SPECS, Topics } from '#fmnist';
import { ensureTopics, withTimeout } from '#platform';
import { testBrokers } from '#testing/test-kafka';

describe('the platform topics on a real broker', () => {
  const kafka = new Kafka({
    brokers: testBrokers().split(','),
    clientId: 'topics-e2e',
    logLevel: logLevel.ERROR,
  });
  let admin: Admin;

  before(async () => {
    admin = kafka.admin();
    await admin.connect();
  });
  after(() => admin.disconnect());

  it('lays out fashion-images over 4 partitions', async () => {
    const metadata = await admin.fetchTopicMetadata({
      topics: [Topics.images],
    });
    assert.equal(metadata.topics[0].partitions.length, IMAGE_PARTITIONS);
    assert.equal(IMAGE_PARTITIONS, 4);
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

  it('creates nothing the second time it runs', async () => {
    assert.deepEqual(await ensureTopics(admin, TOPIC_SPECS), {
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

    await ensureTopics(admin, TOPIC_SPECS);

    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic }],
    });
    const setOnTopic = Object.fromEntries(
      resources[0].configEntries
        .filter(
          (entry) => entry.configSource === kafkajs.ConfigSource.TOPIC_CONFIG,
        )
        .map((entry) => [entry.configName, entry.configValue]),
    );
    assert.deepEqual(setOnTopic, {
      'segment.ms': operators.value,
      'retention.ms': String(14 * 24 * 3600 * 1000),
    });
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
          if (received.size === IMAGE_PARTITIONS) resolveAll();
          return Promise.resolve();
        },
      });
      await producer.send({
        topic: Topics.images,
        messages: Array.from({ length: IMAGE_PARTITIONS }, (_, partition) => ({
          partition,
          value: `${runId}:${partition}`,
        })),
      });
      await withTimeout(
        allReceived,
        30_000,
        'the produced messages did not all arrive',
      );
      assert.deepEqual([...received.values()].sort(), [0, 1, 2, 3]);
    } finally {
      await Promise.all([producer.disconnect(), consumer.disconnect()]);
    }
  });
});
