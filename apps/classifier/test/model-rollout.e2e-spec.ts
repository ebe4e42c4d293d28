import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { encodePng, type ModelArtifacts } from '#fmnist';
import type { ModelRegistryService } from '#model-registry';
import { officialTestImages } from '#testing/fixture-images';
import { postImage, startTestApp, type AppProcess } from '#testing/test-apps';
import {
  connectRegistry,
  testModelArtifacts,
  testModelRecord,
} from '#testing/test-model';
import { startOwnBroker, type OwnBroker } from '#testing/own-broker';

interface Answer {
  status: number;
  body: {
    message?: string;
    results?: { model: { name: string; version: number } }[];
  };
}

describe('a running classifier follows the model registry', () => {
  const modelName = `rollout-${randomUUID().slice(0, 8)}`;
  let registry: ModelRegistryService;
  let artifacts: ModelArtifacts;
  let classifier: AppProcess;
  let gateway: AppProcess;
  let png: Buffer;
  // A broker of its own, so that no model is active before this suite promotes one.
  let broker: OwnBroker;

  const classify = async (): Promise<Answer> => {
    const response = await postImage(gateway, png);
    return {
      status: response.status,
      body: (await response.json()) as Answer['body'],
    };
  };

  /** Classifies until the answer names `version` (the swap is asynchronous), within a deadline. */
  const untilServing = async (version: number): Promise<Answer> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const answer = await classify();
      if (
        answer.body.results?.[0].model.version === version ||
        Date.now() > deadline
      )
        return answer;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  before(async () => {
    const [images] = await Promise.all([
      officialTestImages(1),
      testModelArtifacts().then((a) => (artifacts = a)),
      startOwnBroker().then((b) => (broker = b)),
    ]);
    png = await encodePng(images[0].pixels);
    registry = await connectRegistry(broker.brokers);
    const env = { KAFKA_BROKERS: broker.brokers };
    [classifier, gateway] = await Promise.all([
      startTestApp('classifier', env),
      startTestApp('gateway', { ...env, CLASSIFY_TIMEOUT_MS: '5000' }),
    ]);
  });

  after(async () => {
    await Promise.all([
      gateway?.stop(),
      classifier?.stop(),
      registry?.onModuleDestroy(),
    ]);
    await broker?.stop();
  });

  it('answers 503 "no model available" while no model has been promoted', async () => {
    assert.equal(registry.active, undefined);
    const answer = await classify();
    assert.equal(answer.status, 503);
    assert.match(answer.body.message ?? '', /no model available/);
    const readiness = await fetch(`${classifier.url}/health/ready`);
    assert.equal(readiness.status, 503);
    const body = (await readiness.json()) as {
      details: { model: { status: string; message: string } };
    };
    assert.equal(body.details.model.status, 'down');
    assert.match(body.details.model.message, /no model loaded/);
  });

  it('serves a newly promoted model without a restart', async () => {
    await registry.publish(
      testModelRecord({ name: modelName, version: 1 }, artifacts),
    );
    await registry.promote({ name: modelName, version: 1 });
    const answer = await untilServing(1);
    assert.equal(answer.status, 200, answer.body.message);
    assert.deepEqual(answer.body.results?.[0].model, {
      name: modelName,
      version: 1,
    });
  });

  it('swaps to the next promoted version while requests keep flowing, failing none', async () => {
    await registry.publish(
      testModelRecord({ name: modelName, version: 2 }, artifacts),
    );
    let promotedAt = Infinity;
    const answers: Answer[] = [];
    const stream = (async () => {
      let afterPromotion = 0;
      while (afterPromotion < 20 && answers.length < 500) {
        answers.push(await classify());
        if (Date.now() > promotedAt) afterPromotion++;
      }
    })();
    // Promoted once requests are flowing, not after some time that may or may not see them flow.
    while (answers.length < 3) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await registry.promote({ name: modelName, version: 2 });
    promotedAt = Date.now();
    await stream;
    const failed = answers.filter((answer) => answer.status !== 200);
    assert.deepEqual(failed, [], 'requests failed during the swap');
    const after = await untilServing(2);
    assert.deepEqual(after.body.results?.[0].model, {
      name: modelName,
      version: 2,
    });
    assert.ok(classifier.running, 'the classifier restarted');
  });
});
