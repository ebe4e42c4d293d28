/**
 * Entry of the child process that runs one training (forked by WorkerProcess): it receives a
 * WorkerTask over IPC, reports progress, and ends with a `done` or `failed` message.
 */
import * as tf from '@tensorflow/tfjs-node';
import {
  argMaxRows,
  evaluate,
  IMAGE_PIXELS,
  isArchitectureName,
  trainingDefaults,
  ModelArtifactsSchema,
  NUM_CLASSES,
  testSetMetrics,
  type LabelledImages,
  type TestSetMetrics,
} from '#fmnist';
import {
  buildModel,
  checkReloads,
  predictProbabilities,
  serializeModel,
  toInputTensor,
  toTargetTensor,
  trainModel,
} from '#fmnist/tensorflow';
import { EarlyStopping } from './early-stopping.js';
import { failureMessage, JobFailure } from './job-failure.js';
import { loadTrainingData } from './training-data.js';
import type { WorkerMessage, WorkerTask } from './worker-protocol.js';

/** Test images the model to publish is loaded back and run on, before the trainer gets it. */
const RELOAD_CHECK_IMAGES = 32;

/** Batch progress is sent at most this often: enough for a live view, cheap over IPC. */
const BATCH_REPORT_INTERVAL_MS = 250;

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve, reject) =>
    process.send?.(message, undefined, undefined, (error) =>
      error ? reject(error) : resolve(),
    ),
  );
}

async function run(task: WorkerTask): Promise<void> {
  if (!isArchitectureName(task.architecture)) {
    throw new JobFailure(`unknown architecture ${task.architecture}`);
  }
  const loadStart = performance.now();
  const data = await loadTrainingData(
    task.dataset,
    task.validationSplit,
    task.seed,
  );
  await send({
    type: 'loaded',
    sizes: {
      trainImages: data.train.count,
      validationImages: data.validation?.count ?? 0,
      testImages: data.test.count,
    },
    loadMs: Math.round(performance.now() - loadStart),
  });

  const model = buildModel(task.architecture);
  const trainStart = performance.now();
  const stopping = task.earlyStopping
    ? new EarlyStopping(model, task.earlyStopping)
    : undefined;
  await fit(model, task, data, {
    schedule: trainingDefaults(task.architecture).learningRateSchedule,
    stopping,
  });
  stopping?.finish();
  const trainMs = Math.round(performance.now() - trainStart);

  await send({ type: 'evaluating' });
  const evaluateStart = performance.now();
  const metrics = await test(model, data.test, data.evaluatedOn);
  const evaluateMs = Math.round(performance.now() - evaluateStart);

  const artifacts = ModelArtifactsSchema.parse(await serializeModel(model));
  const checked = Math.min(data.test.count, RELOAD_CHECK_IMAGES);
  await checkReloads(
    artifacts,
    model,
    data.test.images.subarray(0, checked * IMAGE_PIXELS),
    checked,
  );
  model.dispose();
  await send({
    type: 'done',
    artifacts,
    metrics,
    stoppedEarly: stopping?.stoppedEarly ?? false,
    trainMs,
    evaluateMs,
  });
}

async function fit(
  model: tf.LayersModel,
  task: WorkerTask,
  data: { train: LabelledImages; validation?: LabelledImages },
  {
    schedule,
    stopping,
  }: { schedule: 'linear' | 'constant'; stopping?: EarlyStopping },
): Promise<void> {
  const xs = toInputTensor(data.train.images, data.train.count);
  // Validation keeps one-hot targets: its loss is the plain cross-entropy early stopping watches.
  const ys = toTargetTensor(data.train.labels, task.labelSmoothing);
  const validation: [tf.Tensor, tf.Tensor] | undefined = data.validation && [
    toInputTensor(data.validation.images, data.validation.count),
    toTargetTensor(data.validation.labels),
  ];
  const batches = Math.ceil(data.train.count / task.batchSize);
  let epochStart = 0;
  let lastReport = 0;
  let currentEpoch = 0;
  try {
    await trainModel(model, xs, ys, {
      epochs: task.epochs,
      batchSize: task.batchSize,
      learningRate: task.learningRate,
      learningRateSchedule: schedule,
      validationData: validation,
      onEpochBegin: (epoch) => {
        currentEpoch = epoch + 1;
        epochStart = performance.now();
      },
      onBatchEnd: async (batch, logs) => {
        const now = performance.now();
        if (now - lastReport < BATCH_REPORT_INTERVAL_MS) return;
        lastReport = now;
        await send({
          type: 'batch',
          epoch: currentEpoch,
          batch: batch + 1,
          batches,
          loss: logs.loss,
          accuracy: logs.acc,
        });
      },
      onEpochEnd: async (epoch, logs) => {
        await send({
          type: 'epoch',
          epoch: epoch + 1,
          loss: logs.loss,
          accuracy: logs.acc,
          valLoss: logs.val_loss,
          valAccuracy: logs.val_acc,
          durationMs: Math.round(performance.now() - epochStart),
        });
        return stopping?.observe(logs.val_loss ?? logs.loss);
      },
    });
  } finally {
    tf.dispose([xs, ys, ...(validation ?? [])]);
  }
}

/** Accuracy, per-class precision/recall, confusion matrix and mean cross-entropy on the test part. */
async function test(
  model: tf.LayersModel,
  test: LabelledImages,
  evaluatedOn: string,
): Promise<TestSetMetrics> {
  const probabilities = await predictProbabilities(
    model,
    test.images,
    test.count,
  );
  const evaluation = evaluate(test.labels, argMaxRows(probabilities));
  let crossEntropy = 0;
  for (let i = 0; i < test.count; i++) {
    const p = probabilities[i * NUM_CLASSES + test.labels[i]];
    crossEntropy -= Math.log(Math.max(p, 1e-7));
  }
  return testSetMetrics(evaluation, evaluatedOn, crossEntropy / test.count);
}

// Nobody is left to take the result once the trainer is gone, however it ended (SIGKILL too: the
// channel closes with the process). It may have gone while the imports above loaded, before there
// was a listener for the event.
if (!process.connected) process.exit(1);
process.once('disconnect', () => process.exit(1));
process.once('message', (task: WorkerTask) => {
  run(task).then(
    () => process.exit(0),
    (error: unknown) =>
      send({
        type: 'failed',
        error: failureMessage(error, task.dataset),
        detail:
          error instanceof Error
            ? (error.stack ?? error.message)
            : String(error),
      }).finally(() => process.exit(1)),
  );
});
