import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { encodePng, Topics } from '#fmnist';
import { officialTestImages } from '#testing/fixture-images';
import { startOwnBroker, type OwnBroker } from '#testing/own-broker';
import { startTestApp, type AppProcess } from '#testing/test-apps';
import { testBrokers } from '#testing/test-kafka';
import {
  connectRegistry,
  testModelArtifacts,
  testModelRecord,
} from '#testing/test-model';
import { waitFor } from '#testing/wait-for';

const GATEWAYS = 6;
const CLASSIFIERS = 3;

interface Answer {
  status: number;
  source?: string;
  label?: string;
  message?: string;
}

async function classify(
  gateway: AppProcess,
  png: Buffer,
  source: string,
): Promise<Answer> {
  const form = new FormData();
  form.append('file', new Blob([png], { type: 'image/png' }), source);
  const response = await fetch(`${gateway.url}/v1/classifications`, {
    method: 'POST',
    body: form,
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json()) as {
    results?: { source: string; label: string }[];
    message?: string;
  };
  return {
    status: response.status,
    source: body.results?.[0].source,
    label: body.results?.[0].label,
    message: body.message,
  };
}

async function readiness(gateway: AppProcess) {
  const response = await fetch(`${gateway.url}/health/ready`);
  const body = (await response.json()) as {
    details?: { replies?: { status: string; message?: string } };
  };
  return { status: response.status, replies: body.details?.replies };
}

describe(`${GATEWAYS} gateways on a reply topic of fewer partitions, ${CLASSIFIERS} classifiers`, () => {
  const apps: AppProcess[] = [];
  const admin = new Kafka({
    brokers: testBrokers().split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  let gateways: AppProcess[];
  let images: { source: string; png: Buffer }[];
  const replyGroups = async () =>
    (await admin.listGroups()).groups
      .map(({ groupId }) => groupId)
      .filter((groupId) => groupId.startsWith('fashion-gateway-'));

  before(async () => {
    const [fixtures, artifacts] = await Promise.all([
      officialTestImages(8),
      testModelArtifacts(),
    ]);
    images = await Promise.all(
      fixtures.map(async ({ pixels }, index) => ({
        source: `item-${index}.png`,
        png: await encodePng(pixels),
      })),
    );
    const registry = await connectRegistry();
    const name = `many-gateways-${Date.now()}`;
    await registry.publish(testModelRecord({ name, version: 1 }, artifacts));
    await registry.promote({ name, version: 1 });
    await registry.onModuleDestroy();

    const started = await Promise.all([
      ...Array.from({ length: CLASSIFIERS }, () => startTestApp('classifier')),
      ...Array.from({ length: GATEWAYS }, () =>
        startTestApp('gateway', { CLASSIFY_RATE_LIMIT: '0' }),
      ),
    ]);
    apps.push(...started);
    gateways = started.slice(CLASSIFIERS);
    await admin.connect();
  });

  after(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await admin.disconnect();
  });

  it('has more gateways than reply partitions', async () => {
    const metadata = await admin.fetchTopicMetadata({
      topics: [Topics.imagesReply],
    });
    assert.ok(metadata.topics[0].partitions.length < GATEWAYS);
  });

  it('reports every gateway ready to receive replies', async () => {
    for (const gateway of gateways) {
      await waitFor(async () => (await readiness(gateway)).status === 200);
      assert.equal((await readiness(gateway)).replies?.status, 'up');
    }
  });

  it('answers every request through every gateway with its own image, none 503', async () => {
    // What the model says of each image, asked once; every later answer must agree.
    const expected = new Map<string, string>();
    for (const { source, png } of images) {
      const answer = await classify(gateways[0], png, source);
      assert.equal(answer.status, 200, JSON.stringify(answer));
      expected.set(source, answer.label ?? '');
    }
    const answers = await Promise.all(
      gateways.flatMap((gateway) =>
        [0, 1, 2].flatMap(() =>
          images.map(async ({ source, png }) => ({
            source,
            answer: await classify(gateway, png, source),
          })),
        ),
      ),
    );
    assert.equal(answers.length, GATEWAYS * 3 * images.length);
    for (const { source, answer } of answers) {
      assert.equal(answer.status, 200, JSON.stringify(answer));
      assert.equal(answer.source, source);
      assert.equal(answer.label, expected.get(source), source);
    }
  });

  it('leaves no consumer group behind when a gateway stops', async () => {
    const before = await replyGroups();
    assert.ok(before.length >= GATEWAYS, before.join(', '));
    await gateways[GATEWAYS - 1].stop();
    await waitFor(
      async () => (await replyGroups()).length === before.length - 1,
    );
  });
});

describe('a gateway that cannot receive replies', () => {
  let broker: OwnBroker;
  let gateway: AppProcess;

  before(async () => {
    broker = await startOwnBroker();
    gateway = await startTestApp('gateway', { KAFKA_BROKERS: broker.brokers });
  });

  after(async () => {
    await gateway?.stop();
    await broker?.stop();
  });

  it('reports not-ready, and answers 503 at once, once its reply topic is gone', async () => {
    await waitFor(
      async () => (await readiness(gateway)).replies?.status === 'up',
    );
    const admin = new Kafka({
      brokers: [broker.brokers],
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [Topics.imagesReply] });
    await admin.disconnect();

    await waitFor(
      async () => (await readiness(gateway)).status === 503,
      30_000,
    );
    const { replies } = await readiness(gateway);
    assert.equal(replies?.status, 'down');
    assert.match(replies?.message ?? '', /cannot receive replies/);

    const [image] = await officialTestImages(1);
    const started = Date.now();
    const answer = await classify(
      gateway,
      await encodePng(image.pixels),
      'x.png',
    );
    assert.equal(answer.status, 503, JSON.stringify(answer));
    assert.match(answer.message ?? '', /cannot receive replies/);
    assert.ok(Date.now() - started < 2000);
  });
});
