import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import {
  encodePng,
  modelRecordKey,
  Topics,
  weightsChecksum,
  type ModelArtifacts,
  type ModelRef,
} from '#fmnist';
import type { ModelDto, ModelRegistryService } from '#model-registry';
import { officialTestImages } from '#testing/fixture-images';
import { metric } from '#testing/metrics';
import { startOwnBroker, type OwnBroker } from '#testing/own-broker';
import { postImage, startTestApp, type AppProcess } from '#testing/test-apps';
import { testModelRecord } from '#testing/test-model';
import {
  startClassificationStack,
  type ClassificationStack,
} from '#testing/classification-stack';
import { waitFor } from '#testing/wait-for';

interface Answer {
  status: number;
  body: { message?: string; results?: { model: ModelRef }[] };
}

interface ModelReadiness {
  status: string;
  name?: string;
  version?: number;
  fallbackFor?: ModelRef;
  failed?: { model: ModelRef; error: string }[];
}

/** The same model with its weights' bytes cut in half: tfjs refuses to build it. */
function truncated(artifacts: ModelArtifacts): ModelArtifacts {
  const weights = Buffer.from(artifacts.weightData, 'base64');
  return {
    ...artifacts,
    weightData: weights.subarray(0, weights.length / 2).toString('base64'),
  };
}

describe('a classifier given a version it cannot load', () => {
  let modelName: string;
  const ref = (version: number) => ({ name: modelName, version });
  let broker: OwnBroker;
  let stack: ClassificationStack;
  let registry: ModelRegistryService;
  let artifacts: ModelArtifacts;
  let png: Buffer;
  let first: AppProcess;
  let second: AppProcess | undefined;
  let gateway: AppProcess;

  const classify = async (): Promise<Answer> => {
    const response = await postImage(gateway, png);
    return {
      status: response.status,
      body: (await response.json()) as Answer['body'],
    };
  };

  const readiness = async (classifier: AppProcess) => {
    const response = await fetch(`${classifier.url}/health/ready`);
    const body = (await response.json()) as {
      details: { model: ModelReadiness };
    };
    return { status: response.status, model: body.details.model };
  };

  const listed = async (version: number): Promise<ModelDto | undefined> => {
    const response = await fetch(`${gateway.url}/v1/models`);
    const models = (await response.json()) as ModelDto[];
    return models.find(
      (model) => model.name === modelName && model.version === version,
    );
  };

  /** Publishes a record as a person with a Kafka client would: straight to the topic. */
  const writeStraightToTopic = async (
    version: number,
    weights: ModelArtifacts,
  ) => {
    const kafka = new kafkajs.Kafka({ brokers: [broker.brokers], logLevel: 0 });
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic: Topics.models,
        messages: [
          {
            key: modelRecordKey(ref(version)),
            value: JSON.stringify(testModelRecord(ref(version), weights)),
          },
        ],
      });
    } finally {
      await producer.disconnect();
    }
    await waitFor(() => Promise.resolve(!!registry.find(ref(version))));
  };

  /** Requests, one after another, from before `change` until `afterwards` ms after it. */
  const classifyAcross = async (
    change: () => Promise<unknown>,
    afterwards = 3_000,
  ): Promise<Answer[]> => {
    const answers: Answer[] = [];
    let until = Infinity;
    const stream = (async () => {
      while (Date.now() < until) answers.push(await classify());
    })();
    while (answers.length < 3) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await change();
    until = Date.now() + afterwards;
    await stream;
    return answers;
  };

  before(async () => {
    const [images] = await Promise.all([
      officialTestImages(1),
      startOwnBroker().then((b) => (broker = b)),
    ]);
    png = await encodePng(images[0].pixels);
    stack = await startClassificationStack({
      prefix: 'fallback',
      brokers: broker.brokers,
      gateway: { CLASSIFY_TIMEOUT_MS: '5000' },
    });
    ({ modelName, registry, artifacts, classifier: first, gateway } = stack);
  });

  after(async () => {
    await Promise.all([stack?.stop(), second?.stop()]);
    await broker?.stop();
  });

  it('keeps answering 200 from the last good version when a corrupt record is promoted', async () => {
    await writeStraightToTopic(2, truncated(artifacts));
    const answers = await classifyAcross(() => registry.promote(ref(2)));
    assert.deepEqual(
      answers.filter((answer) => answer.status !== 200),
      [],
      'requests failed',
    );
    assert.deepEqual(
      new Set(answers.map((answer) => answer.body.results?.[0].model.version)),
      new Set([1]),
    );
    assert.ok(first.running, 'the classifier stopped');
  });

  it('says so in its readiness, its metrics and the gateway’s /v1/models', async () => {
    const { status, model } = await readiness(first);
    assert.equal(status, 200);
    assert.equal(model.status, 'up');
    assert.deepEqual([model.name, model.version], [modelName, 1]);
    assert.deepEqual(model.fallbackFor, ref(2));
    assert.deepEqual(
      model.failed?.map((failure) => failure.model),
      [ref(2)],
    );
    assert.equal(
      await metric(first, 'classifier_model_load_failures_total', {
        model: modelName,
        version: '2',
      }),
      1,
    );
    assert.equal(await metric(first, 'classifier_model_fallback'), 1);

    await waitFor(async () => (await listed(2))?.classifiers.failed === 1);
    const [good, corrupt] = [await listed(1), await listed(2)];
    assert.equal(corrupt?.active, true, 'the registry still names v2 active');
    assert.deepEqual(
      { ...corrupt?.classifiers, error: undefined },
      { serving: 0, loaded: 0, failed: 1, error: undefined },
    );
    assert.match(corrupt?.classifiers.error ?? '', /\S/);
    assert.deepEqual(good?.classifiers, { serving: 1, loaded: 1, failed: 0 });
  });

  it('lets a classifier started afterwards come up serving the last good version', async () => {
    second = await startTestApp('classifier', {
      KAFKA_BROKERS: broker.brokers,
    });
    const { status, model } = await readiness(second);
    assert.equal(status, 200);
    assert.deepEqual([model.name, model.version], [modelName, 1]);
    assert.deepEqual(model.fallbackFor, ref(2));
    await first.stop();
    // The stopped classifier withdraws its report; the new one has taken its partitions.
    await waitFor(async () => (await listed(1))?.classifiers.serving === 1);
    const answer = await classify();
    assert.equal(answer.status, 200, answer.body.message);
    assert.deepEqual(answer.body.results?.[0].model, ref(1));
    assert.ok(second.running);
  });

  it('refuses weights that do not match the checksum they were published with', async () => {
    const weights = Buffer.from(artifacts.weightData, 'base64');
    weights[0] ^= 0xff;
    await registry.publish({
      ...testModelRecord(ref(3), {
        ...artifacts,
        weightData: weights.toString('base64'),
      }),
      weightsSha256: weightsChecksum(artifacts.weightData),
    });
    await registry.promote(ref(3));
    const classifier = second!;
    // Until its weights are read and refused, v3 is wanted and v1 served: wait for the refusal.
    await waitFor(async () => {
      const { model } = await readiness(classifier);
      return !!model.failed?.some((failure) => failure.model.version === 3);
    });
    const { model } = await readiness(classifier);
    assert.equal(model.version, 1);
    assert.equal(model.fallbackFor?.version, 3);
    assert.match(
      model.failed?.find((failure) => failure.model.version === 3)?.error ?? '',
      /checksum/,
    );
    assert.equal((await classify()).status, 200);
  });

  it('serves a good version promoted afterwards, the fallback over', async () => {
    await registry.publish(testModelRecord(ref(4), artifacts));
    await registry.promote(ref(4));
    const classifier = second!;
    await waitFor(
      async () => (await readiness(classifier)).model.version === 4,
    );
    const { model } = await readiness(classifier);
    assert.equal(model.fallbackFor, undefined);
    assert.equal(await metric(classifier, 'classifier_model_fallback'), 0);
    assert.deepEqual((await classify()).body.results?.[0].model, ref(4));
  });
});
