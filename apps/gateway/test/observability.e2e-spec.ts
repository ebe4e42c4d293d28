import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { encodePng } from '#fmnist';
import type { ModelRegistryService } from '#model-registry';
import { officialTestImages } from '#testing/fixture-images';
import { sample } from '#testing/metrics';
import { postImage, startTestApp, type AppProcess } from '#testing/test-apps';
import {
  connectRegistry,
  testModelArtifacts,
  testModelRecord,
} from '#testing/test-model';

const CLASSIFICATIONS = 12;

describe('what operators see of a classification', () => {
  let registry: ModelRegistryService;
  let classifier: AppProcess;
  let gateway: AppProcess;
  let png: Buffer;
  const requestId = `trace-${randomUUID()}`;

  const metricsOf = async (app: AppProcess) =>
    (await fetch(`${app.url}/metrics`)).text();

  const classify = async (headers: Record<string, string> = {}) => {
    return postImage(gateway, png, { headers });
  };

  before(async () => {
    const [[image], artifacts] = await Promise.all([
      officialTestImages(1),
      testModelArtifacts(),
    ]);
    png = await encodePng(image.pixels);
    registry = await connectRegistry();
    const name = `observed-${randomUUID().slice(0, 8)}`;
    await registry.publish(testModelRecord({ name, version: 1 }, artifacts));
    await registry.promote({ name, version: 1 });
    [classifier, gateway] = await Promise.all([
      startTestApp('classifier', { LOG_LEVEL: 'debug' }),
      startTestApp('gateway'),
    ]);
  });

  after(async () => {
    await Promise.all([
      gateway?.stop(),
      classifier?.stop(),
      registry?.onModuleDestroy(),
    ]);
  });

  it('follows one request id from the gateway through Kafka to the classifier', async () => {
    const response = await classify({ 'x-request-id': requestId });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-request-id'), requestId);

    const logged = (app: AppProcess) =>
      app.output
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => entry.requestId === requestId);
    // Log lines are written asynchronously: give them a moment to arrive.
    const deadline = Date.now() + 5000;
    while (
      (logged(gateway).length === 0 || logged(classifier).length === 0) &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const [gatewayLine] = logged(gateway);
    const [classifierLine] = logged(classifier);
    assert.ok(gatewayLine, 'the gateway logged no line with the request id');
    assert.ok(
      classifierLine,
      'the classifier logged no line with the request id',
    );
    assert.equal(gatewayLine.app, 'gateway');
    assert.equal(classifierLine.app, 'classifier');
    assert.equal(classifierLine.msg, 'classified');
  });

  it('gives every request an id of its own when the caller sends none', async () => {
    const [first, second] = await Promise.all([classify(), classify()]);
    const ids = [first, second].map((response) =>
      response.headers.get('x-request-id'),
    );
    assert.ok(ids.every((id) => id && id.length > 0));
    assert.notEqual(ids[0], ids[1]);
  });

  it('moves the counters of both apps with the classifications', async () => {
    const [gatewayBefore, classifierBefore] = await Promise.all([
      metricsOf(gateway),
      metricsOf(classifier),
    ]);
    for (let index = 0; index < CLASSIFICATIONS; index++) {
      assert.equal((await classify()).status, 200);
    }
    const [gatewayAfter, classifierAfter] = await Promise.all([
      metricsOf(gateway),
      metricsOf(classifier),
    ]);
    const moved = (
      beforeText: string,
      afterText: string,
      name: string,
      labels?: Record<string, string>,
    ) => sample(afterText, name, labels) - sample(beforeText, name, labels);

    assert.equal(
      moved(gatewayBefore, gatewayAfter, 'http_requests_total', {
        route: '/v1/classifications',
        status: '200',
      }),
      CLASSIFICATIONS,
    );
    assert.equal(
      moved(
        gatewayBefore,
        gatewayAfter,
        'http_request_duration_seconds_count',
        {
          route: '/v1/classifications',
        },
      ),
      CLASSIFICATIONS,
    );
    assert.equal(
      moved(gatewayBefore, gatewayAfter, 'gateway_classified_images_total'),
      CLASSIFICATIONS,
    );
    assert.equal(
      moved(classifierBefore, classifierAfter, 'classifier_requests_total', {
        outcome: 'answered',
      }),
      CLASSIFICATIONS,
    );
    assert.equal(
      moved(classifierBefore, classifierAfter, 'classifier_images_total'),
      CLASSIFICATIONS,
    );
    assert.ok(
      moved(
        classifierBefore,
        classifierAfter,
        'classifier_batch_images_count',
      ) > 0,
    );
    assert.match(
      gatewayAfter,
      /process_resident_memory_bytes\{app="gateway"\}/,
    );
    assert.match(
      await metricsOf(classifier),
      /kafka_consumer_lag\{[^}]*topic="fashion-images"/,
    );
  });

  it('reports the classifier ready once it has a model', async () => {
    const response = await fetch(`${classifier.url}/health/ready`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as {
      details: { model: { status: string; version: number } };
    };
    assert.equal(body.details.model.status, 'up');
  });
});
