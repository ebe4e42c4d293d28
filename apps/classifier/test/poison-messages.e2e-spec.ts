import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import kafkajs, {
  Kafka,
  logLevel,
  type Consumer,
  type Producer,
} from 'kafkajs';
import {
  DeadLetterRecordSchema,
  encodePng,
  Topics,
  type DeadLetterRecord,
} from '#fmnist';
import type { ModelRegistryService } from '#model-registry';
import { withTimeout } from '#platform';
import { officialTestImages } from '#testing/fixture-images';
import { postImage, startTestApp, type AppProcess } from '#testing/test-apps';
import { testBrokers } from '#testing/test-kafka';
import {
  connectRegistry,
  testModelArtifacts,
  testModelRecord,
} from '#testing/test-model';

const { Partitioners } = kafkajs;

describe('messages the classifier cannot process', () => {
  const runId = randomUUID();
  const kafka = new Kafka({
    brokers: testBrokers().split(','),
    clientId: 'poison-e2e',
    logLevel: logLevel.ERROR,
  });
  const deadLetters: DeadLetterRecord[] = [];
  let producer: Producer;
  let consumer: Consumer;
  let registry: ModelRegistryService;
  let classifier: AppProcess;
  let gateway: AppProcess;

  const deadLetterFor = (key: string) =>
    withTimeout(
      (async () => {
        for (;;) {
          const found = deadLetters.find((record) => record.source.key === key);
          if (found) return found;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })(),
      20_000,
      `no dead letter arrived for ${key}`,
    );

  before(async () => {
    registry = await connectRegistry();
    const name = `poison-${runId.slice(0, 8)}`;
    await registry.publish(
      testModelRecord({ name, version: 1 }, await testModelArtifacts()),
    );
    await registry.promote({ name, version: 1 });
    producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    consumer = kafka.consumer({ groupId: `poison-e2e-${runId}` });
    await Promise.all([producer.connect(), consumer.connect()]);
    await consumer.subscribe({
      topic: Topics.imagesDeadLetter,
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: ({ message }) => {
        deadLetters.push(
          DeadLetterRecordSchema.parse(
            JSON.parse(message.value?.toString() ?? 'null'),
          ),
        );
        return Promise.resolve();
      },
    });
    [classifier, gateway] = await Promise.all([
      startTestApp('classifier'),
      startTestApp('gateway'),
    ]);
  });

  after(async () => {
    await Promise.all([
      gateway?.stop(),
      classifier?.stop(),
      registry?.onModuleDestroy(),
    ]);
    await Promise.all([producer?.disconnect(), consumer?.disconnect()]);
  });

  const poison = [
    {
      name: 'bytes that are not JSON',
      value: Buffer.from([0xff, 0x00, 0x13, 0x37]),
      reason: /invalid classification request/,
    },
    {
      name: 'JSON of the wrong shape',
      value: Buffer.from('{"hello":"world"}'),
      reason: /requestId/,
    },
    {
      name: 'an image of the wrong size',
      value: Buffer.from(
        JSON.stringify({ requestId: 'x', images: ['AAAA'], sentAt: 0 }),
      ),
      reason: /784 bytes/,
    },
  ];

  for (const { name, value, reason } of poison) {
    it(`${name}: kept in ${Topics.imagesDeadLetter} with the reason, byte for byte`, async () => {
      const key = `${runId}:${name}`;
      await producer.send({ topic: Topics.images, messages: [{ key, value }] });
      const record = await deadLetterFor(key);
      assert.equal(record.source.topic, Topics.images);
      assert.match(record.error, reason);
      assert.deepEqual(Buffer.from(record.value ?? '', 'base64'), value);
    });
  }

  it('keeps serving requests afterwards', async () => {
    const [image] = await officialTestImages(1);
    const png = await encodePng(image.pixels);
    const answers = await Promise.all(
      Array.from(
        { length: 16 },
        async () => (await postImage(gateway, png)).status,
      ),
    );
    assert.deepEqual(answers, Array(16).fill(200));
  });
});
