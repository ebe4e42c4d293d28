import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import kafkajs, { type Kafka, type Producer } from 'kafkajs';
import { Topics, type ModelArtifacts } from '#fmnist';
import type { ModelRegistryService } from '#model-registry';
import { kafkaClientConfig, kafkaConnectionTo } from '#platform';
import { officialTestImages } from '#testing/fixture-images';
import { metric } from '#testing/metrics';
import { startOwnBroker, type OwnBroker } from '#testing/own-broker';
import { startTestApp, type AppProcess } from '#testing/test-apps';
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
  type ReceivedPrediction,
  type TopicReader,
} from '../../../tools/stream/stream-io.js';

const { Kafka: KafkaClient, Partitioners } = kafkajs;

describe('the streaming path before any model is promoted', () => {
  // A broker of its own, so that no model is active before this suite promotes one.
  let broker: OwnBroker;
  let registry: ModelRegistryService;
  let artifacts: ModelArtifacts;
  let classifier: AppProcess;
  let kafka: Kafka;
  let producer: Producer;
  const readers: TopicReader[] = [];

  before(async () => {
    [artifacts, broker] = await Promise.all([
      testModelArtifacts(),
      startOwnBroker(),
    ]);
    classifier = await startTestApp('classifier', {
      KAFKA_BROKERS: broker.brokers,
    });
    // Once the classifier runs: a registry reader on a fresh broker can find no leader yet.
    registry = await connectRegistry(broker.brokers);
    kafka = new KafkaClient(
      kafkaClientConfig(kafkaConnectionTo(broker.brokers), 'no-model-e2e'),
    );
    producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
  });

  after(async () => {
    await Promise.all(readers.map((reader) => reader.stop()));
    await producer?.disconnect();
    await classifier?.stop();
    await registry?.onModuleDestroy();
    await broker?.stop();
  });

  it("keeps the inputs waiting (the streaming group's lag), neither classified nor dead-lettered, and classifies each once a model is promoted", async () => {
    assert.equal(registry.active, undefined);
    const images = await officialTestImages(50);
    const received: ReceivedPrediction[] = [];
    let deadLetters = 0;
    readers.push(
      await readPredictions(
        kafka,
        Topics.predictions,
        (prediction) => received.push(prediction),
        { fromBeginning: true },
      ),
      await readCommitted(kafka, Topics.imagesDeadLetter, () => deadLetters++, {
        fromBeginning: true,
      }),
    );
    await produceInputs(
      producer,
      Topics.ingest,
      images.map((image) => ({
        key: `t${image.index}`,
        value: Buffer.from(image.pixels),
        tensor: true,
      })),
    );
    await new Promise((resolve) => setTimeout(resolve, 5000));
    assert.equal(received.length, 0);
    assert.equal(deadLetters, 0);
    const streamLag = () =>
      metric(classifier, 'kafka_consumer_lag', {
        topic: Topics.ingest,
        group: 'fashion-stream-classifier',
      });
    assert.equal(await streamLag(), 50, 'the waiting inputs are the lag');

    await registry.publish(
      testModelRecord({ name: 'late', version: 1 }, artifacts),
    );
    await registry.promote({ name: 'late', version: 1 });
    await waitFor(() => Promise.resolve(received.length >= 50), 60_000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.deepEqual(
      received.map((entry) => entry.key).sort(),
      images.map((image) => `t${image.index}`).sort(),
    );
    assert.ok(
      received.every((entry) => entry.prediction.model.name === 'late'),
    );
    assert.equal(deadLetters, 0);
    await waitFor(async () => (await streamLag()) === 0, 10_000);
  });
});
