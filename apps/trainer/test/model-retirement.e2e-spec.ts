import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodePng, type ModelRef } from '#fmnist';
import type { ModelDto } from '#model-registry';
import {
  startClassificationStack,
  type ClassificationStack,
} from '#testing/classification-stack';
import { officialTestImages } from '#testing/fixture-images';
import { startOwnBroker, type OwnBroker } from '#testing/own-broker';
import { postImage, startTestApp, type AppProcess } from '#testing/test-apps';
import {
  request,
  startTrainer,
  trainerFolders,
  type TrainerFolders,
} from '#testing/trainer-test-kit';
import { waitFor } from '#testing/wait-for';

describe('retiring a model version (DELETE /v1/models/{name}/versions/{v}, through the gateway)', () => {
  let broker: OwnBroker;
  let folders: TrainerFolders;
  let trainer: AppProcess;
  let stack: ClassificationStack;
  let secondClassifier: AppProcess;
  let png: Buffer;
  const ref = (version: number): ModelRef => ({
    name: stack.modelName,
    version,
  });
  const path = (version: number) =>
    `/v1/models/${stack.modelName}/versions/${version}`;

  /** The classifiers (by their serving reports) that hold `version` loaded. */
  const holding = (version: number) =>
    stack.registry
      .servingReports()
      .filter((report) =>
        report.loaded.some(
          (model) =>
            model.name === stack.modelName && model.version === version,
        ),
      ).length;

  const classifyWith = (version: number) =>
    postImage(stack.gateway, png, { model: `${stack.modelName}:${version}` });

  before(async () => {
    const [images] = await Promise.all([
      officialTestImages(1),
      startOwnBroker().then((b) => (broker = b)),
    ]);
    png = await encodePng(images[0].pixels);
    folders = await trainerFolders();
    trainer = await startTrainer(folders, { KAFKA_BROKERS: broker.brokers });
    stack = await startClassificationStack({
      prefix: 'retire',
      versions: 2,
      brokers: broker.brokers,
      gateway: { TRAINER_URL: trainer.url, CLASSIFY_TIMEOUT_MS: '5000' },
    });
    secondClassifier = await startTestApp('classifier', {
      KAFKA_BROKERS: broker.brokers,
    });
  });

  after(async () => {
    await Promise.all([
      stack?.stop(),
      secondClassifier?.stop(),
      trainer?.stop(),
    ]);
    await Promise.all([broker?.stop(), folders?.remove()]);
  });

  it('refuses the active version with 409', async () => {
    const { status, body } = await request<{ message: string }>(
      stack.gateway,
      'DELETE',
      path(1),
    );
    assert.equal(status, 409);
    assert.match(body.message, /is the active version/);
  });

  it('answers 404 for a version that does not exist', async () => {
    const { status } = await request(stack.gateway, 'DELETE', path(99));
    assert.equal(status, 404);
  });

  it('removes a version from /v1/models and from every classifier', async () => {
    // Both classifiers load v2: requests are spread over the partitions, so over both.
    await waitFor(async () => {
      const answer = await classifyWith(2);
      assert.equal(answer.status, 200);
      return holding(2) === 2;
    }, 30_000);

    const response = await fetch(`${stack.gateway.url}${path(2)}`, {
      method: 'DELETE',
    });
    assert.equal(response.status, 204);

    const listed = async () =>
      (await request<ModelDto[]>(stack.gateway, 'GET', '/v1/models')).body
        .filter((model) => model.name === stack.modelName)
        .map((model) => model.version);
    // The gateway follows the registry topic: it reads the tombstone a moment later.
    await waitFor(async () => (await listed()).join() === '1');
    await waitFor(() => Promise.resolve(holding(2) === 0));
    assert.equal(stack.registry.find(ref(2)), undefined);
    for (let attempt = 0; attempt < 8; attempt++) {
      const answer = await classifyWith(2);
      assert.equal(answer.status, 404, await answer.text());
    }
    assert.equal((await postImage(stack.gateway, png)).status, 200);
    const { status } = await request(trainer, 'GET', path(2));
    assert.equal(status, 404);
  });
});
