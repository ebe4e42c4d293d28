import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import kafkajs, { type Kafka, type KafkaMessage, type Producer } from 'kafkajs';
import {
  DeadLetterRecordSchema,
  encodePng,
  Topics,
  type DeadLetterRecord,
} from '#fmnist';
import type { ModelRegistryService } from '#model-registry';
import { kafkaClientConfig, kafkaConnectionTo } from '#platform';
import { officialTestImages } from '#testing/fixture-images';
import { photoCorpus } from '#testing/photo-corpus';
import { startTestApp, type AppProcess } from '#testing/test-apps';
import { testBrokers } from '#testing/test-kafka';
import {
  connectRegistry,
  testModelArtifacts,
  testModelRecord,
} from '#testing/test-model';
import { waitFor } from '#testing/wait-for';
import {
  produceInputs,
  readCommitted,
  readPredictions,
  topicEnds,
  type TopicReader,
  type ReceivedPrediction,
  type StreamInput,
} from '../../../tools/stream/stream-io.js';

const { Kafka: KafkaClient, Partitioners } = kafkajs;

const TENSORS = 10_000;

describe('the streaming path: input topic to output topic, exactly once', () => {
  const runId = randomUUID().slice(0, 8);
  const input = `stream-e2e-${runId}.ingest`;
  const output = `stream-e2e-${runId}.predictions`;
  const streamEnv = {
    STREAM_INPUT_TOPIC: input,
    STREAM_OUTPUT_TOPIC: output,
    STREAM_GROUP_ID: `stream-e2e-${runId}`,
  };
  let kafka: Kafka;
  let producer: Producer;
  let registry: ModelRegistryService;
  let replicas: AppProcess[] = [];
  let labels: Map<string, number>;
  let inputs: StreamInput[];
  const undecodable = new Set<string>();

  before(async () => {
    const [images, artifacts] = await Promise.all([
      officialTestImages(TENSORS),
      testModelArtifacts(),
    ]);
    registry = await connectRegistry();
    const name = `stream-${runId}`;
    await registry.publish(testModelRecord({ name, version: 1 }, artifacts));
    await registry.promote({ name, version: 1 });

    labels = new Map(images.map((image) => [`t${image.index}`, image.label]));
    inputs = images.map((image) => ({
      key: `t${image.index}`,
      value: Buffer.from(image.pixels),
      tensor: true,
    }));
    const photos = await photoCorpus(images.slice(0, 6));
    const files: StreamInput[] = [
      ...photos.map((photo) => ({
        key: `photo${photo.index}.${photo.format}`,
        value: photo.bytes,
      })),
      { key: 'dataset.png', value: await encodePng(images[6].pixels) },
    ];
    for (const file of files) {
      labels.set(
        file.key,
        images[Number(/\d+/.exec(file.key)?.[0] ?? 6)].label,
      );
    }
    const bad: StreamInput[] = [
      { key: 'bad-text', value: Buffer.from('this is not an image') },
      {
        key: 'bad-truncated',
        value: photos[0].bytes.subarray(0, photos[0].bytes.length >> 2),
      },
      { key: 'bad-tensor', value: Buffer.alloc(100), tensor: true },
    ];
    bad.forEach((entry) => undecodable.add(entry.key));
    // Files and bad inputs spread through the stream, on either side of the kill.
    inputs.splice(1000, 0, ...files.slice(0, 3), bad[0]);
    inputs.splice(7000, 0, ...files.slice(3), ...bad.slice(1));

    kafka = new KafkaClient(
      kafkaClientConfig(kafkaConnectionTo(testBrokers()), 'stream-e2e'),
    );
    producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    replicas = await Promise.all([
      startTestApp('classifier', streamEnv),
      startTestApp('classifier', streamEnv),
    ]);
  });

  after(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await producer?.disconnect();
    await registry?.onModuleDestroy();
  });

  it('writes exactly one prediction per decodable input, under its key, though a replica is killed mid-stream', async () => {
    const received: ReceivedPrediction[] = [];
    const reader: TopicReader = await readPredictions(
      kafka,
      output,
      (prediction) => received.push(prediction),
      { fromBeginning: true },
    );
    const started = performance.now();
    const [victim] = replicas;
    const half = inputs.length >> 1;
    try {
      await produceInputs(producer, input, inputs.slice(0, half));
      // Killed while it holds results in open transactions: both replicas must have committed some.
      await waitFor(() => {
        const servedBy = new Set(received.map((r) => r.prediction.classifier));
        return Promise.resolve(
          servedBy.size === 2 && received.length >= half / 2,
        );
      }, 60_000);
      victim.killNow();
      console.log(
        `SIGKILLed replica ${victim.pid} after ${received.length} committed predictions`,
      );
      await produceInputs(producer, input, inputs.slice(half));
      const expected = inputs.length - undecodable.size;
      await waitFor(
        () => Promise.resolve(received.length >= expected),
        120_000,
      );
      const elapsed = (performance.now() - started) / 1000;
      // Time for a duplicate to show up, should a late transaction commit.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      console.log(
        `${received.length} predictions for ${inputs.length} inputs in ${elapsed.toFixed(1)} s, one replica killed`,
      );
    } finally {
      await reader.stop();
    }

    const offsets = await inputOffsets();
    const seen = new Map<string, ReceivedPrediction>();
    for (const entry of received) {
      const { partition, offset } = entry.prediction.source;
      const at = `${partition}@${offset}`;
      assert.ok(!seen.has(at), `duplicate prediction for input ${at}`);
      seen.set(at, entry);
      assert.equal(entry.prediction.source.topic, input);
      assert.equal(entry.key, offsets.get(at), `key of input ${at}`);
    }
    const missing = [...offsets]
      .filter(([at, key]) => !seen.has(at) && !undecodable.has(key))
      .map(([at, key]) => `${key} (${at})`);
    assert.deepEqual(missing, [], 'inputs without a prediction');
    assert.equal(received.length, inputs.length - undecodable.size);

    const correct = received.filter(
      (entry) => labels.get(entry.key ?? '') === entry.prediction.labelIndex,
    ).length;
    const accuracy = correct / received.length;
    console.log(
      `accuracy of the streamed predictions: ${(accuracy * 100).toFixed(1)}%`,
    );
    assert.ok(accuracy > 0.75, `accuracy ${accuracy}`);
    for (const entry of received.filter((e) => !e.key?.startsWith('t'))) {
      assert.ok(entry.prediction.timings.decodeMs > 0, entry.key ?? '');
    }
  });

  it('keeps each undecodable input on the dead-letter topic once, with the reason', async () => {
    const records = await deadLetters();
    assert.deepEqual(
      records.map((record) => record.source.key).sort(),
      [...undecodable].sort(),
    );
    const reasons = new Map(
      records.map((record) => [record.source.key, record.error]),
    );
    assert.match(reasons.get('bad-tensor') ?? '', /784 bytes/);
    assert.match(
      reasons.get('bad-text') ?? '',
      /not an image|cannot be decoded/,
    );
    assert.match(reasons.get('bad-truncated') ?? '', /cannot be decoded/);
  });

  /** Every input's key, by `partition@offset`, read back from the input topic. */
  async function inputOffsets(): Promise<Map<string, string>> {
    const keys = new Map<string, string>();
    await readAll(
      input,
      (partition, message) =>
        keys.set(`${partition}@${message.offset}`, String(message.key)),
      () => keys.size >= inputs.length,
    );
    assert.equal(keys.size, inputs.length);
    return keys;
  }

  async function deadLetters(): Promise<DeadLetterRecord[]> {
    const records: DeadLetterRecord[] = [];
    await readAll(
      Topics.imagesDeadLetter,
      (_partition, message) => {
        const record = DeadLetterRecordSchema.parse(
          JSON.parse(String(message.value)),
        );
        if (record.source.topic === input) records.push(record);
      },
      () => records.length >= undecodable.size,
    );
    return records;
  }

  /** What is committed to `topic` until now, read with read_committed, once `done` says so. */
  async function readAll(
    topic: string,
    onMessage: (partition: number, message: KafkaMessage) => void,
    done: () => boolean,
  ): Promise<void> {
    const ends = await topicEnds(kafka, topic);
    const reader = await readCommitted(kafka, topic, onMessage, {
      fromBeginning: true,
    });
    try {
      // A transaction's marker takes the last offset: a position one short of the end is there.
      await waitFor(
        () =>
          Promise.resolve(
            done() &&
              ends.every(
                ({ partition, high, low }) =>
                  high === low ||
                  (reader.position(partition) ?? -1n) >= BigInt(high) - 1n,
              ),
          ),
        60_000,
      );
    } finally {
      await reader.stop();
    }
  }
});
