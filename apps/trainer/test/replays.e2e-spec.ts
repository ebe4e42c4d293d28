import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import {
  agreementReport,
  argMaxRows,
  countFlips,
  emptyFlipMatrix,
  encodePng,
  IMAGE_PIXELS,
  Topics,
  type AgreementReport,
  type ModelArtifacts,
} from '#fmnist';
import { deserializeModel, predictProbabilities } from '#fmnist/tensorflow';
import { kafkaClientConfig, kafkaConnectionTo } from '#platform';
import {
  startClassificationStack,
  type ClassificationStack,
} from '#testing/classification-stack';
import { officialTestImages } from '#testing/fixture-images';
import { startOwnBroker, type OwnBroker } from '#testing/own-broker';
import { testModelRecord, trainedModelArtifacts } from '#testing/test-model';
import { postImage, type AppProcess } from '#testing/test-apps';
import {
  readEventStream,
  request,
  startTrainer,
  trainerFolders,
  type TrainerFolders,
} from '#testing/trainer-test-kit';
import { waitFor } from '#testing/wait-for';
import {
  produceInputs,
  readPredictions,
  type ReceivedPrediction,
} from '../../../tools/stream/stream-io.js';
import type { Replay, ReplayEvent } from '../src/replays/replay.js';

const { Kafka, Partitioners } = kafkajs;

const SINGLE_REQUESTS = 48;
const MULTI_REQUESTS = 4;
const IMAGES_PER_MULTI = 3;
const IMAGES = SINGLE_REQUESTS + MULTI_REQUESTS * IMAGES_PER_MULTI;

/** A second model, really trained, on other images than the stack's: it answers differently. */
const otherModel = () =>
  trainedModelArtifacts({
    architecture: 'seed-cnn',
    from: 40_000,
    count: 1500,
    epochs: 1,
    batchSize: 32,
  });

/** Both models run here, in-process, on the images sent: the agreement a replay must report. */
async function offlineAgreement(
  served: ModelArtifacts,
  candidate: ModelArtifacts,
  pixels: Uint8Array,
): Promise<{ report: AgreementReport; servedLabels: Uint8Array }> {
  const labelsOf = async (artifacts: ModelArtifacts) => {
    const model = await deserializeModel(artifacts);
    try {
      return argMaxRows(
        await predictProbabilities(model, pixels, pixels.length / IMAGE_PIXELS),
      );
    } finally {
      model.dispose();
    }
  };
  const [a, b] = [await labelsOf(served), await labelsOf(candidate)];
  return {
    report: agreementReport(countFlips(emptyFlipMatrix(), a, b)),
    servedLabels: a,
  };
}

describe('replays of recorded traffic (POST /v1/replays, through the gateway, on a real broker)', () => {
  let broker: OwnBroker;
  let folders: TrainerFolders;
  let trainer: AppProcess;
  let stack: ClassificationStack;
  let candidate: ModelArtifacts;
  let pixels: Uint8Array;
  let answeredLabels: number[];
  let sentFrom: string;
  let sentTo: string;

  /** Starts a replay, follows its event stream to the end, returns the events and the replay. */
  async function replay(
    body: object,
  ): Promise<{ replay: Replay; events: ReplayEvent[] }> {
    const created = await request<Replay & { message?: string }>(
      stack.gateway,
      'POST',
      '/v1/replays',
      body,
    );
    assert.equal(created.status, 201, JSON.stringify(created.body.message));
    const events = await readEventStream<ReplayEvent>(
      stack.gateway,
      `/v1/replays/${created.body.id}/events`,
    );
    const { body: finished } = await request<Replay>(
      stack.gateway,
      'GET',
      `/v1/replays/${created.body.id}`,
    );
    return { replay: finished, events };
  }

  before(async () => {
    const [images] = await Promise.all([
      officialTestImages(IMAGES),
      startOwnBroker().then((b) => (broker = b)),
    ]);
    candidate = await otherModel();
    folders = await trainerFolders();
    trainer = await startTrainer(folders, { KAFKA_BROKERS: broker.brokers });
    stack = await startClassificationStack({
      prefix: 'replay',
      brokers: broker.brokers,
      gateway: { TRAINER_URL: trainer.url },
    });
    await stack.registry.publish(
      testModelRecord({ name: stack.modelName, version: 2 }, candidate),
    );

    // The recorded traffic: real PNGs through the gateway, one or several a request.
    const pngs = await Promise.all(
      images.map((image) => encodePng(image.pixels)),
    );
    pixels = new Uint8Array(IMAGES * IMAGE_PIXELS);
    images.forEach((image, index) =>
      pixels.set(image.pixels, index * IMAGE_PIXELS),
    );
    answeredLabels = [];
    sentFrom = new Date(Date.now() - 1000).toISOString();
    for (let index = 0; index < SINGLE_REQUESTS; index++) {
      const response = await postImage(stack.gateway, pngs[index]);
      assert.equal(response.status, 200, await response.clone().text());
      const { results } = (await response.json()) as {
        results: { labelIndex: number }[];
      };
      answeredLabels.push(results[0].labelIndex);
    }
    for (let request = 0; request < MULTI_REQUESTS; request++) {
      const form = new FormData();
      for (let i = 0; i < IMAGES_PER_MULTI; i++) {
        const png = pngs[SINGLE_REQUESTS + request * IMAGES_PER_MULTI + i];
        form.append(
          'files',
          new Blob([png], { type: 'image/png' }),
          `${i}.png`,
        );
      }
      const response = await fetch(`${stack.gateway.url}/v1/classifications`, {
        method: 'POST',
        body: form,
      });
      assert.equal(response.status, 200);
      const { results } = (await response.json()) as {
        results: { labelIndex: number }[];
      };
      answeredLabels.push(...results.map((result) => result.labelIndex));
    }
    sentTo = new Date(Date.now() + 1000).toISOString();
  });

  after(async () => {
    await Promise.all([stack?.stop(), trainer?.stop()]);
    await Promise.all([broker?.stop(), folders?.remove()]);
  });

  it('reports 100% agreement for the version that answered, with progress on the event stream', async () => {
    const { servedLabels } = await offlineAgreement(
      stack.artifacts,
      candidate,
      pixels,
    );
    assert.deepEqual(
      [...servedLabels],
      answeredLabels,
      'the offline run of v1 is what was answered',
    );

    const { replay: finished, events } = await replay({
      model: { name: stack.modelName, version: 1 },
      source: { last: SINGLE_REQUESTS + MULTI_REQUESTS },
    });

    assert.equal(finished.state, 'succeeded', finished.error);
    const report = finished.report!;
    assert.equal(report.requests, SINGLE_REQUESTS + MULTI_REQUESTS);
    assert.equal(report.answered, SINGLE_REQUESTS + MULTI_REQUESTS);
    assert.equal(report.compared, IMAGES);
    assert.equal(report.agreement, 1);
    assert.deepEqual(report.servedBy, [
      { model: { name: stack.modelName, version: 1 }, images: IMAGES },
    ]);
    for (const change of report.classChanges) {
      assert.equal(change.served, change.replayed);
    }
    assert.ok(
      report.latency.replayInferenceMs,
      'the replay timed its model calls',
    );
    assert.ok(report.latency.servedInferenceMs, 'and read the served timings');
    assert.equal(events[0].type, 'state');
    assert.ok(events.some((event) => event.type === 'progress'));
    const last = events.at(-1)!;
    assert.equal(last.type === 'state' && last.state, 'succeeded');
  });

  it('reports, for another version, the agreement an offline run of both models gives', async (t) => {
    const { report: offline } = await offlineAgreement(
      stack.artifacts,
      candidate,
      pixels,
    );
    assert.ok(offline.agreement < 1, 'the two models must disagree somewhere');

    const { replay: finished } = await replay({
      model: { name: stack.modelName, version: 2 },
      source: { from: sentFrom, to: sentTo },
      batchSize: 7,
    });

    assert.equal(finished.state, 'succeeded', finished.error);
    const report = finished.report!;
    assert.equal(report.compared, IMAGES);
    assert.equal(report.agreement, offline.agreement);
    assert.deepEqual(report.flipMatrix, offline.flipMatrix);
    assert.deepEqual(report.perClass, offline.perClass);
    t.diagnostic(
      `v2 against v1 on ${report.compared} images: ${(100 * report.agreement).toFixed(1)}% ` +
        `(offline ${(100 * offline.agreement).toFixed(1)}%); replay model calls ` +
        `${JSON.stringify(report.latency)}`,
    );
  });

  it("replays a range of the streaming path's input (tensors and image files) against its predictions", async () => {
    const kafka = new Kafka(
      kafkaClientConfig(kafkaConnectionTo(broker.brokers), 'replay-stream'),
    );
    const producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    const predicted: ReceivedPrediction[] = [];
    const reader = await readPredictions(kafka, Topics.predictions, (p) =>
      predicted.push(p),
    );
    try {
      const inputs = await Promise.all(
        Array.from({ length: IMAGES }, async (_, index) => {
          const image = pixels.subarray(
            index * IMAGE_PIXELS,
            (index + 1) * IMAGE_PIXELS,
          );
          // Half as the model's own bytes, half as PNG files the worker decodes again.
          return index % 2 === 0
            ? { key: `t${index}`, value: Buffer.from(image), tensor: true }
            : { key: `f${index}`, value: await encodePng(image) };
        }),
      );
      await produceInputs(producer, Topics.ingest, inputs);
      await waitFor(() => Promise.resolve(predicted.length >= IMAGES), 60_000);
    } finally {
      await reader.stop();
      await producer.disconnect();
    }
    const source = { topic: Topics.ingest, last: IMAGES };
    const { report: offline } = await offlineAgreement(
      stack.artifacts,
      candidate,
      pixels,
    );

    const same = await replay({
      model: { name: stack.modelName, version: 1 },
      source,
    });
    assert.equal(same.replay.state, 'succeeded', same.replay.error);
    assert.equal(same.replay.report!.compared, IMAGES);
    assert.equal(same.replay.report!.agreement, 1);

    const other = await replay({
      model: { name: stack.modelName, version: 2 },
      source,
    });
    assert.equal(other.replay.report!.compared, IMAGES);
    assert.deepEqual(other.replay.report!.flipMatrix, offline.flipMatrix);
  });

  it('only reads the range: the last few requests are those compared', async () => {
    const { replay: finished } = await replay({
      model: { name: stack.modelName, version: 1 },
      source: { last: MULTI_REQUESTS },
    });
    assert.equal(finished.report!.requests, MULTI_REQUESTS);
    assert.equal(finished.report!.compared, MULTI_REQUESTS * IMAGES_PER_MULTI);
  });

  it('cancels a running replay: it ends cancelled, its worker and its reading stopped', async () => {
    const { body: started } = await request<Replay>(
      stack.gateway,
      'POST',
      '/v1/replays',
      {
        model: { name: stack.modelName, version: 2 },
        source: { from: sentFrom },
        batchSize: 1,
      },
    );
    // Its worker takes a second or more to start and load the model: it is still running.
    const cancelled = await request<Replay>(
      stack.gateway,
      'POST',
      `/v1/replays/${started.id}/cancel`,
    );
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.state, 'cancelled');
    assert.equal(cancelled.body.report, undefined);
    const events = await readEventStream<ReplayEvent>(
      stack.gateway,
      `/v1/replays/${started.id}/events`,
    );
    assert.deepEqual(
      events.map((event) => event.type === 'state' && event.state),
      ['cancelled'],
    );
    // The next replay runs at once: nothing of the cancelled one holds the queue.
    const { replay: next } = await replay({
      model: { name: stack.modelName, version: 1 },
      source: { last: 1 },
    });
    assert.equal(next.state, 'succeeded');
  });

  it('leaves no consumer group behind', async () => {
    const admin = new Kafka(
      kafkaClientConfig(kafkaConnectionTo(broker.brokers), 'replay-test'),
    ).admin();
    await admin.connect();
    try {
      const { groups } = await admin.listGroups();
      assert.deepEqual(
        groups.filter(({ groupId }) => groupId.startsWith('fashion-replay')),
        [],
      );
    } finally {
      await admin.disconnect();
    }
  });

  it('refuses a replay it cannot run with a 4xx naming the problem', async () => {
    const model = { name: stack.modelName, version: 1 };
    const cases: [object, number, RegExp][] = [
      [{ model }, 400, /source/],
      [{ model, source: {} }, 400, /either last or from/],
      [
        { model, source: { last: 5, from: sentFrom } },
        400,
        /either last or from/,
      ],
      [{ model, source: { from: sentTo, to: sentFrom } }, 400, /after it/],
      [{ model, source: { last: 0 } }, 400, /last/],
      [
        { model: { ...model, version: 99 }, source: { last: 5 } },
        404,
        /not found/,
      ],
      [{ model, source: { last: 5 }, batchSize: 1000 }, 400, /batchSize/],
      [
        { model, source: { last: 5, topic: 'fashion-models' } },
        400,
        /no recorded inputs/,
      ],
      [{ model, source: { last: 5, topic: 'a/b' } }, 400, /topic name/],
    ];
    for (const [body, status, message] of cases) {
      const answer = await request<{ message: unknown }>(
        stack.gateway,
        'POST',
        '/v1/replays',
        body,
      );
      assert.equal(answer.status, status, JSON.stringify(body));
      assert.match(JSON.stringify(answer.body.message), message);
    }
    const unknown = await request(stack.gateway, 'GET', '/v1/replays/nope');
    assert.equal(unknown.status, 404);
  });
});
