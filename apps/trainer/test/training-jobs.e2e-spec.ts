import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-node';
import { encodePng, LABELS, NUM_CLASSES } from '#fmnist';
import { officialTestImages } from '#testing/fixture-images';
import { startTestApp, type AppProcess } from '#testing/test-apps';
import type { TrainingJob } from '../src/training-jobs/training-job.js';
import {
  allStarted,
  getJob,
  isFinished,
  processRunning,
  readEvents,
  request,
  startTrainer,
  submitJob,
  trainerFolders,
  waitForJob,
  type TrainerFolders,
} from '#testing/trainer-test-kit';

interface ModelView {
  name: string;
  version: number;
  jobId?: string;
  active: boolean;
  metrics: { accuracy: number; confusionMatrix?: number[][] };
}

interface Classification {
  results?: { model: { name: string; version: number } }[];
  message?: string;
}

describe('training jobs on the real broker', () => {
  const modelName = `trained-${randomUUID().slice(0, 8)}`;
  let folders: TrainerFolders;
  let trainer: AppProcess;
  let classifier: AppProcess;
  let gateway: AppProcess;
  let job: TrainingJob;

  before(async () => {
    await allStarted([
      trainerFolders()
        .then((created) => startTrainer((folders = created)))
        .then((app) => (trainer = app)),
      startTestApp('classifier').then((app) => (classifier = app)),
      startTestApp('gateway', { CLASSIFY_TIMEOUT_MS: '5000' }).then(
        (app) => (gateway = app),
      ),
    ]);
  });

  after(async () => {
    await Promise.all([trainer?.stop(), classifier?.stop(), gateway?.stop()]);
    await folders?.remove();
  });

  describe('a short job on a subset', () => {
    let events: Awaited<ReturnType<typeof readEvents>>;

    before(async () => {
      job = await submitJob(trainer, {
        dataset: { kind: 'fmnist', trainLimit: 3000 },
        epochs: 1,
        validationSplit: 0.1,
        seed: 7,
        modelName,
        promote: true,
      });
      events = await readEvents(trainer, job.id);
      job = await getJob(trainer, job.id);
    });

    it('trains, evaluates on the test split and succeeds', () => {
      assert.equal(job.state, 'succeeded', job.error);
      assert.deepEqual(job.dataset, {
        trainImages: 2700,
        validationImages: 300,
        testImages: 10_000,
      });
      assert.equal(job.parameters.architecture, 'default-cnn');
      const metrics = job.result!.metrics;
      assert.ok(metrics.accuracy > 0.5, `test accuracy ${metrics.accuracy}`);
      assert.equal(metrics.evaluatedOn, 'fmnist:test');
      assert.equal(metrics.perClass.length, NUM_CLASSES);
      assert.deepEqual(
        metrics.perClass.map((entry) => entry.label),
        LABELS.map((label) => label.slug),
      );
      assert.equal(
        metrics.confusionMatrix.flat().reduce((sum, n) => sum + n, 0),
        10_000,
      );
      assert.ok(job.timings!.trainMs! > 0 && job.timings!.totalMs! > 0);
      assert.equal(job.workerPid, undefined);
    });

    it('reports per-epoch metrics over GET', () => {
      assert.equal(job.epochs.length, 1);
      const [epoch] = job.epochs;
      assert.equal(epoch.epoch, 1);
      for (const value of [
        epoch.loss,
        epoch.accuracy,
        epoch.valLoss,
        epoch.valAccuracy,
      ]) {
        assert.ok(Number.isFinite(value), JSON.stringify(epoch));
      }
    });

    it('streams batch, epoch and state events until the job ends', () => {
      const types = events.map((event) => event.type);
      assert.equal(types[0], 'state');
      assert.ok(types.includes('batch'), types.join());
      assert.deepEqual(
        events.filter((event) => event.type === 'epoch'),
        [{ type: 'epoch', epochs: 1, ...job.epochs[0] }],
      );
      const last = events.at(-1)!;
      assert.equal(last.type === 'state' && last.state, 'succeeded');
      const batch = events.find((event) => event.type === 'batch');
      assert.ok(batch?.type === 'batch' && batch.batches === 22);
    });

    it('published the model as version 1 of its name and promoted it', async () => {
      assert.deepEqual(job.result!.model, { name: modelName, version: 1 });
      assert.equal(job.result!.promoted, true);
      const { body: models } = await request<ModelView[]>(
        trainer,
        'GET',
        '/v1/models',
      );
      const published = models.find((model) => model.name === modelName);
      assert.ok(published, 'not in GET /v1/models');
      assert.equal(published.version, 1);
      assert.equal(published.jobId, job.id);
      assert.equal(published.active, true);
      assert.equal(published.metrics.accuracy, job.result!.metrics.accuracy);
      assert.deepEqual(
        published.metrics.confusionMatrix,
        job.result!.metrics.confusionMatrix,
      );
    });

    it('exports it as a tfjs model that tf.loadLayersModel loads over HTTP', async () => {
      const model = await tf.loadLayersModel(
        `${trainer.url}/v1/models/${modelName}/versions/1/model.json`,
      );
      try {
        const output = model.predict(tf.zeros([2, 28, 28, 1])) as tf.Tensor;
        assert.deepEqual(output.shape, [2, NUM_CLASSES]);
        output.dispose();
      } finally {
        model.dispose();
      }
      const missing = await request<{ message: string }>(
        trainer,
        'GET',
        `/v1/models/${modelName}/versions/9/model.json`,
      );
      assert.equal(missing.status, 404);
      assert.match(missing.body.message, new RegExp(`${modelName} version 9`));
    });

    it('is served by the running classifier without a restart', async () => {
      const [image] = await officialTestImages(1);
      const png = await encodePng(image.pixels);
      const deadline = Date.now() + 30_000;
      let answer: Classification;
      do {
        const form = new FormData();
        form.append('file', new Blob([png], { type: 'image/png' }), 'item.png');
        const response = await fetch(`${gateway.url}/v1/classifications`, {
          method: 'POST',
          body: form,
        });
        answer = (await response.json()) as Classification;
        if (answer.results?.[0].model.name === modelName) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      } while (Date.now() < deadline);
      assert.deepEqual(
        answer.results?.[0].model,
        { name: modelName, version: 1 },
        JSON.stringify(answer),
      );
    });

    it('rolls forward and back between versions through promote', async () => {
      const second = await submitJob(trainer, {
        dataset: { kind: 'fmnist', trainLimit: 1000 },
        epochs: 1,
        validationSplit: 0,
        modelName,
      });
      const finished = await waitForJob(trainer, second.id, isFinished);
      assert.equal(finished.state, 'succeeded', finished.error);
      assert.deepEqual(finished.result!.model, { name: modelName, version: 2 });
      assert.equal(finished.result!.promoted, false);
      assert.equal(finished.epochs[0].valLoss, undefined);

      const promoted = await request<{ name: string; version: number }>(
        trainer,
        'POST',
        `/v1/models/${modelName}/versions/2/promote`,
      );
      assert.equal(promoted.status, 200);
      assert.deepEqual(
        [promoted.body.name, promoted.body.version],
        [modelName, 2],
      );
      const back = await request(
        trainer,
        'POST',
        `/v1/models/${modelName}/versions/1/promote`,
      );
      assert.equal(back.status, 200);
      const { body: models } = await request<ModelView[]>(
        trainer,
        'GET',
        '/v1/models',
      );
      assert.deepEqual(
        models
          .filter((model) => model.name === modelName)
          .map((model) => [model.version, model.active]),
        [
          [1, true],
          [2, false],
        ],
      );
      const unknown = await request<{ message: string }>(
        trainer,
        'POST',
        `/v1/models/${modelName}/versions/3/promote`,
      );
      assert.equal(unknown.status, 404);
      assert.match(unknown.body.message, /version 3 not found/);
    });
  });

  describe('cancelling', () => {
    it('stops a running job and its worker process, the API answering meanwhile', async (t) => {
      const long = await submitJob(trainer, { epochs: 3, modelName });
      const running = await waitForJob(
        trainer,
        long.id,
        (current) => current.progress !== undefined || isFinished(current),
      );
      assert.equal(running.state, 'running');
      const pid = running.workerPid!;
      assert.ok(processRunning(pid), 'the worker is not running');

      const started = performance.now();
      const health = await fetch(`${trainer.url}/health`);
      assert.equal(health.status, 200);
      t.diagnostic(
        `GET /health during training: ${Math.round(performance.now() - started)} ms`,
      );

      const { status, body } = await request<TrainingJob>(
        trainer,
        'POST',
        `/v1/training-jobs/${long.id}/cancel`,
      );
      assert.equal(status, 200);
      assert.equal(body.state, 'cancelled');
      assert.equal(body.result, undefined);
      assert.equal(processRunning(pid), false, 'the worker survived');
      assert.equal((await getJob(trainer, long.id)).state, 'cancelled');
    });

    it('removes a queued job from the queue', async () => {
      const first = await submitJob(trainer, { epochs: 3, modelName });
      const queued = await submitJob(trainer, { epochs: 1, modelName });
      assert.equal(queued.state, 'queued');
      const cancelled = await request<TrainingJob>(
        trainer,
        'POST',
        `/v1/training-jobs/${queued.id}/cancel`,
      );
      assert.equal(cancelled.body.state, 'cancelled');
      await request(trainer, 'POST', `/v1/training-jobs/${first.id}/cancel`);
      const { body: jobs } = await request<TrainingJob[]>(
        trainer,
        'GET',
        '/v1/training-jobs',
      );
      assert.deepEqual(
        jobs.slice(0, 2).map((entry) => [entry.id, entry.state]),
        [
          [queued.id, 'cancelled'],
          [first.id, 'cancelled'],
        ],
      );
    });

    it("removes a finished job's record, and refuses to remove a queued or running one", async () => {
      const first = await submitJob(trainer, { epochs: 3, modelName });
      const queued = await submitJob(trainer, { epochs: 1, modelName });
      for (const job of [first, queued]) {
        const refused = await request<{ message: string }>(
          trainer,
          'DELETE',
          `/v1/training-jobs/${job.id}`,
        );
        assert.equal(refused.status, 409);
        assert.match(refused.body.message, /cancel it .* before removing/);
      }
      for (const job of [queued, first]) {
        await request(trainer, 'POST', `/v1/training-jobs/${job.id}/cancel`);
        const removed = await fetch(
          `${trainer.url}/v1/training-jobs/${job.id}`,
          {
            method: 'DELETE',
          },
        );
        assert.equal(removed.status, 204);
        const gone = await fetch(`${trainer.url}/v1/training-jobs/${job.id}`);
        assert.equal(gone.status, 404);
      }
    });

    it('refuses with a 409 a cancel that comes once the model is being published; the job succeeds', async () => {
      const submitted = await submitJob(trainer, {
        dataset: { kind: 'fmnist', trainLimit: 500 },
        epochs: 1,
        modelName,
      });
      const stream = await fetch(
        `${trainer.url}/v1/training-jobs/${submitted.id}/events`,
      );
      let cancel: { status: number; body: { message: string } } | undefined;
      const decoder = new TextDecoder();
      for await (const chunk of stream.body!) {
        // The cancel goes out as soon as the stream says publishing has begun.
        if (
          !cancel &&
          decoder.decode(chunk as Uint8Array).includes('"type":"publishing"')
        ) {
          cancel = await request<{ message: string }>(
            trainer,
            'POST',
            `/v1/training-jobs/${submitted.id}/cancel`,
          );
        }
      }
      assert.ok(cancel, 'no publishing event');
      assert.equal(cancel.status, 409);
      assert.equal(
        cancel.body.message,
        `training job ${submitted.id} is publishing its model and can no longer be cancelled`,
      );
      const finished = await getJob(trainer, submitted.id);
      assert.equal(finished.state, 'succeeded', finished.error);
      const { body: models } = await request<ModelView[]>(
        trainer,
        'GET',
        '/v1/models',
      );
      assert.ok(
        models.some((model) => model.jobId === submitted.id),
        'the model it published is not in the registry',
      );
    });

    it('answers 404 naming an unknown job', async () => {
      for (const [method, path] of [
        ['POST', '/v1/training-jobs/no-such-job/cancel'],
        ['DELETE', '/v1/training-jobs/no-such-job'],
        ['GET', '/v1/training-jobs/no-such-job'],
        ['GET', '/v1/training-jobs/no-such-job/events'],
      ]) {
        const { status, body } = await request<{ message: string }>(
          trainer,
          method,
          path,
        );
        assert.equal(status, 404, `${method} ${path}`);
        assert.match(body.message, /training job no-such-job not found/);
      }
    });
  });

  describe('a folder dataset', () => {
    it('tells a job’s clients why a folder dataset cannot be used without the trainer’s paths, which go to its log', async () => {
      const folder = join(folders.dataRoot, 'damaged', 'shirt');
      await mkdir(folder, { recursive: true });
      await writeFile(
        join(folder, 'torn.png'),
        Buffer.from('not a png at all'),
      );
      const submitted = await submitJob(trainer, {
        dataset: { kind: 'folder', path: 'damaged' },
      });
      const finished = await waitForJob(trainer, submitted.id, isFinished);
      assert.equal(finished.state, 'failed');
      assert.match(
        finished.error ?? '',
        /^the dataset folder damaged cannot be used:\n {2}shirt\/torn\.png: /,
      );
      assert.doesNotMatch(
        finished.error ?? '',
        /(^|\s)\/\w/,
        'an absolute path',
      );
      assert.ok(
        !finished.error?.includes(folders.dataRoot),
        `the error names the trainer's folder: ${finished.error}`,
      );
      assert.ok(
        trainer.output.some(
          (line) =>
            line.includes(submitted.id) && line.includes(folders.dataRoot),
        ),
        'the log has no detail with the job id and the folder',
      );
    });

    it('trains on the folder and evaluates on its held-out part', async () => {
      const images = await officialTestImages(200);
      for (const image of images) {
        const folder = join(
          folders.dataRoot,
          'photos',
          LABELS[image.label].slug,
        );
        await mkdir(folder, { recursive: true });
        await writeFile(
          join(folder, `${image.index}.png`),
          await encodePng(image.pixels),
        );
      }
      const submitted = await submitJob(trainer, {
        dataset: { kind: 'folder', path: 'photos', testSplit: 0.25 },
        epochs: 1,
        batchSize: 32,
        validationSplit: 0.1,
        modelName,
      });
      const finished = await waitForJob(trainer, submitted.id, isFinished);
      assert.equal(finished.state, 'succeeded', finished.error);
      assert.deepEqual(finished.dataset, {
        trainImages: 135,
        validationImages: 15,
        testImages: 50,
      });
      const metrics = finished.result!.metrics;
      assert.equal(
        metrics.evaluatedOn,
        'folder:photos (held-out 50 of 200 images)',
      );
      assert.equal(
        metrics.confusionMatrix.flat().reduce((sum, n) => sum + n, 0),
        50,
      );
    });
  });
});
