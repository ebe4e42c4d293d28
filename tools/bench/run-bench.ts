import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  encodePng,
  IMAGE_PIXELS,
  preprocessImage,
  trainingDefaults,
} from '#fmnist';
import { deserializeModel, ServingModel } from '#fmnist/tensorflow';
import { createTopics } from '../kafka/create-topics.js';
import { EmbeddedKafka } from '../kafka/embedded-kafka.js';
import { AppProcess, type AppName } from '../launcher/app-process.js';
import {
  officialTestImages,
  type TestImage,
} from '../testing/fixture-images.js';
import { freePort, freePortPair } from '../testing/free-port.js';
import { photoCorpus } from '../testing/photo-corpus.js';
import {
  connectRegistry,
  testModelArtifacts,
  testModelRecord,
} from '../testing/test-model.js';
import { classifierScaling, type ScalingRow } from './classifier-scaling.js';
import { kafkaRoundTrip } from './kafka-round-trip.js';
import { httpRows, MULTI_IMAGES, type HttpRow } from './http-rows.js';
import { kerasReference } from './keras-reference.js';
import { inferenceBody, multipartBody } from './load.js';
import { modelCeiling } from './model-ceiling.js';
import { photoAccuracy } from './photo-accuracy.js';
import { photoRows, photoRowsTable } from './photo-rows.js';
import { registryFootprint, registryTable } from './registry-footprint.js';
import { preprocessingCost } from './preprocessing-cost.js';
import { childPids, peakRssMb } from './process-memory.js';
import {
  prototypeTable,
  trainingTable,
  scalingTable,
  table,
  type BenchReport,
  type PrototypeComparison,
} from './report-table.js';
import { streamThroughput, type StreamRow } from './stream-throughput.js';
import { soak, type SoakResult } from './soak.js';

/**
 * `npm run bench`: the product measured on this machine against a real broker. Trains the
 * default job through the trainer API (or a small one with --quick), then loads the HTTP path
 * at several concurrencies with one and two classifiers, next to the model called in-process.
 */
const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    seconds: { type: 'string', default: '8' },
    soak: { type: 'string' },
    // Only the classifier scaling rows, on the tests' small model instead of a trained one.
    'scaling-only': { type: 'boolean', default: false },
    // Only the prototype's model trained by the trainer and by Python Keras, side by side.
    'prototype-only': { type: 'boolean', default: false },
    // Only the registry's figures: start-up and memory with 1 and 100 versions.
    'registry-only': { type: 'boolean', default: false },
    // Only photo-like uploads against 28x28 PNGs, one classifier, on the tests' small model.
    'photos-only': { type: 'boolean', default: false },
    // Node.js options of the gateway, to profile it (`--perf-basic-prof`, `--cpu-prof`...).
    'gateway-node-options': { type: 'string' },
    // Only the default training job through the trainer: its accuracy and wall time.
    'training-only': { type: 'boolean', default: false },
  },
});
const seconds = Number(options.seconds);
/** Single-image requests of the memory soak; 0 skips it (the default with --quick). */
const soakRequests = Number(options.soak ?? (options.quick ? 0 : 100_000));
const SOAK_CONCURRENCY = 32;
const projectRoot = new URL('../../../', import.meta.url).pathname;
const say = (message: string) => process.stdout.write(`[bench] ${message}\n`);
const MODEL_NAME = 'bench';
/** Test images whose photos measure the served model's accuracy on photo-like uploads. */
const PHOTO_ACCURACY_IMAGES = 1000;
/** Inputs per streaming row: enough for a few seconds of work at the target rate. */
const STREAM_TENSORS = options.quick ? 5000 : 10_000;
const STREAM_PHOTOS = options.quick ? 300 : 1000;

interface TrainingJob {
  state: string;
  error?: string;
  dataset?: { trainImages: number };
  epochs: { epoch: number; durationMs: number; valAccuracy?: number }[];
  timings?: { totalMs?: number };
  result?: {
    model: { name: string; version: number };
    metrics: { accuracy: number };
  };
}

const DEFAULT_JOB = {
  modelName: MODEL_NAME,
  promote: true,
  ...(options.quick
    ? { epochs: 1, dataset: { kind: 'fmnist', trainLimit: 6000 } }
    : {}),
};

async function train(trainer: AppProcess, job: object = DEFAULT_JOB) {
  const created = await fetch(`${trainer.url}/v1/training-jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(job),
  });
  const { id } = (await created.json()) as { id: string };
  say(`training job ${id}: ${JSON.stringify(job)}`);
  // The job runs in a worker process of the trainer's, gone when the job ends.
  let workerPeakRssMb = 0;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    for (const worker of await childPids(trainer.pid)) {
      workerPeakRssMb = Math.max(
        workerPeakRssMb,
        (await peakRssMb(worker)) ?? 0,
      );
    }
    const state = (await (
      await fetch(`${trainer.url}/v1/training-jobs/${id}`)
    ).json()) as TrainingJob;
    if (state.state === 'succeeded') return { ...state, workerPeakRssMb };
    if (['failed', 'cancelled'].includes(state.state)) {
      throw new Error(`training job ${state.state}: ${state.error ?? ''}`);
    }
  }
}

interface BenchStack {
  brokers: string;
  brokerPid: number | undefined;
  start: (app: AppName) => Promise<AppProcess>;
}

const nodeOptions: Partial<Record<AppName, string>> = {
  gateway: options['gateway-node-options'],
};

/** A broker and its topics in a folder of their own, and a way to start apps on it; all removed afterwards. */
async function withStack<T>(work: (stack: BenchStack) => Promise<T>) {
  const dataDir = await mkdtemp(join(tmpdir(), 'fashion-kafka-bench-'));
  const broker = await EmbeddedKafka.start({
    dataDir: join(dataDir, 'kafka'),
    port: await freePortPair(),
  });
  const apps: AppProcess[] = [];
  const env = {
    ...process.env,
    KAFKA_BROKERS: broker.brokers,
    LOG_LEVEL: 'warn',
    TRAINER_DATA_DIR: join(dataDir, 'trainer'),
    TRAIN_DEFAULT_MODEL_ON_START: 'false',
    MAX_IMAGES_PER_UPLOAD: String(MULTI_IMAGES),
  };
  const start = async (app: AppName) => {
    const port = await freePort();
    const variable = {
      gateway: 'GATEWAY_PORT',
      classifier: 'CLASSIFIER_PORT',
      trainer: 'TRAINER_PORT',
    }[app];
    const started = await AppProcess.start({
      app,
      port,
      env: {
        ...env,
        [variable]: String(port),
        ...(nodeOptions[app] ? { NODE_OPTIONS: nodeOptions[app] } : {}),
      },
      output: 'capture',
      readyTimeoutMs: 120_000,
    });
    apps.push(started);
    return started;
  };
  try {
    await createTopics(broker.brokers);
    return await work({
      brokers: broker.brokers,
      brokerPid: broker.pid,
      start,
    });
  } finally {
    await Promise.all(apps.map((app) => app.stop()));
    await broker.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The training job's figures, and the model it published. */
async function trainingPhase(stack: BenchStack) {
  const trainer = await stack.start('trainer');
  const trained = await train(trainer);
  const trainImages = trained.dataset?.trainImages ?? 0;
  const epochMs = trained.epochs.map((epoch) => epoch.durationMs);
  const training = {
    epochs: trained.epochs.length,
    trainImages,
    medianEpochSeconds: median(epochMs) / 1000,
    imagesPerSecond: trainImages / (median(epochMs) / 1000),
    wallSeconds: (trained.timings?.totalMs ?? 0) / 1000,
    testAccuracy: trained.result?.metrics.accuracy ?? 0,
    trainerPeakRssMb: await peakRssMb(trainer.pid),
    workerPeakRssMb: trained.workerPeakRssMb,
  };
  say(`training: ${JSON.stringify(training)}`);
  const registry = await connectRegistry(stack.brokers);
  const record =
    registry.active && (await registry.loadRecord(registry.active));
  await registry.onModuleDestroy();
  if (!record) throw new Error('the trained model is not in the registry');
  return {
    training,
    model: await deserializeModel(record.artifacts),
    trainer,
  };
}

/**
 * The prototype's model (`seed-cnn`) trained through the trainer's API and by Python Keras on the
 * same number of images with the same settings, one after the other on this machine.
 */
async function prototypePhase(
  trainer: AppProcess,
): Promise<PrototypeComparison> {
  const defaults = trainingDefaults('seed-cnn');
  const images = options.quick ? 10_000 : 60_000;
  const epochs = options.quick ? 1 : defaults.epochs;
  const trained = await train(trainer, {
    modelName: 'bench-seed',
    architecture: 'seed-cnn',
    epochs,
    ...(options.quick
      ? { dataset: { kind: 'fmnist', trainLimit: images } }
      : {}),
  });
  const epochMs = trained.epochs.map((epoch) => epoch.durationMs);
  const ours = {
    trainImages: trained.dataset?.trainImages ?? 0,
    imagesPerSecond:
      (trained.dataset?.trainImages ?? 0) / (median(epochMs) / 1000),
    testAccuracy: trained.result?.metrics.accuracy ?? 0,
  };
  say(`seed-cnn through the trainer: ${JSON.stringify(ours)}`);
  const keras = await kerasReference({
    dataset: process.env.FMNIST_DIR ?? '/usr/share/datasets/fashion-mnist',
    images,
    validationSplit: defaults.validationSplit,
    epochs,
    batchSize: defaults.batchSize,
    seed: 1,
  });
  say(`seed-cnn by Python Keras: ${JSON.stringify(keras)}`);
  return { batchSize: defaults.batchSize, epochs, ours, keras };
}

/** What the parts cost alone: the model, a bare Kafka round trip, preprocessing; and accuracy on photos. */
async function inProcessPhase(
  model: ServingModel,
  brokers: string,
  images: TestImage[],
) {
  const flat = new Uint8Array(256 * IMAGE_PIXELS);
  images
    .slice(0, 256)
    .forEach((image, index) => flat.set(image.pixels, index * IMAGE_PIXELS));
  const ceiling = await modelCeiling(model, flat);
  say(`in-process model: ${JSON.stringify(ceiling)}`);
  const roundTrip = await kafkaRoundTrip(brokers);
  say(`kafkajs request/reply alone: ${JSON.stringify(roundTrip)}`);
  const preprocessing = await preprocessingCost(images.slice(0, 8));
  say(`preprocessing cost: ${JSON.stringify(preprocessing)}`);
  const accuracy = await photoAccuracy(
    model.layersModel,
    await photoCorpus(images.slice(0, PHOTO_ACCURACY_IMAGES)),
    (file) => preprocessImage(file),
  );
  say(`photo accuracy: ${JSON.stringify(accuracy)}`);
  return { ceiling, roundTrip, preprocessing, accuracy };
}

/** The HTTP path with one and with two classifiers, its peak memory, and the soak. */
async function httpPhase(stack: BenchStack, images: TestImage[]) {
  const pngs = await Promise.all(
    images.slice(0, MULTI_IMAGES).map((image) => encodePng(image.pixels)),
  );
  const photos = await uploadedPhotos(images);
  const pixels = images
    .slice(0, MULTI_IMAGES)
    .map((image) => Buffer.from(image.pixels));
  const http: HttpRow[] = [];
  const memory: Record<string, number | undefined> = {};
  let soaked: SoakResult | undefined;
  for (const classifiers of [1, 2]) {
    const replicas = await Promise.all(
      Array.from({ length: classifiers }, () => stack.start('classifier')),
    );
    const gateway = await stack.start('gateway');
    const url = `${gateway.url}/v1/classifications`;
    http.push(
      ...(await httpRows({
        classifiers,
        targets: [
          { upload: 'photo', url, files: photos, bodyOf: multipartBody },
          { upload: '28x28 PNG', url, files: pngs, bodyOf: multipartBody },
          {
            upload: '/v2 UINT8 tensor',
            url: `${gateway.url}/v2/models/${MODEL_NAME}/infer`,
            files: pixels,
            bodyOf: inferenceBody,
            // The same Kafka path as /v1's 28x28 PNGs, without the decode: two points show it.
            concurrencies: [8, 32],
          },
        ],
        processes: {
          gateway: [gateway.pid],
          classifiers: replicas.map((replica) => replica.pid),
          kafka: [stack.brokerPid],
          load: [process.pid],
        },
        seconds,
        say,
      })),
    );
    if (classifiers === 1 && soakRequests > 0) {
      say(`soak: ${soakRequests} requests at concurrency ${SOAK_CONCURRENCY}`);
      soaked = await soak(url, pngs[0], soakRequests, SOAK_CONCURRENCY, {
        gateway: gateway.pid,
        classifier: replicas[0].pid,
      });
      say(`soak: ${JSON.stringify(soaked)}`);
    }
    memory[`gateway (${classifiers} classifiers)`] = await peakRssMb(
      gateway.pid,
    );
    for (const [index, replica] of replicas.entries()) {
      memory[`classifier ${index + 1} of ${classifiers}`] = await peakRssMb(
        replica.pid,
      );
    }
    await Promise.all([gateway, ...replicas].map((app) => app.stop()));
  }
  return { http, memory, soak: soaked };
}

/** The streaming path with one and with two classifiers: 28x28 tensors, then photo-like files. */
async function streamPhase(stack: BenchStack, images: TestImage[]) {
  const tensors = (await officialTestImages(STREAM_TENSORS)).map((image) => ({
    key: `tensor-${image.index}`,
    value: Buffer.from(image.pixels),
    tensor: true,
  }));
  const photos = await uploadedPhotos(images);
  const files = Array.from({ length: STREAM_PHOTOS }, (_, index) => ({
    key: `photo-${index}`,
    value: photos[index % photos.length],
  }));
  const rows: StreamRow[] = [];
  for (const classifiers of [1, 2]) {
    const replicas = await Promise.all(
      Array.from({ length: classifiers }, () => stack.start('classifier')),
    );
    // Warms the model and the transactional producers of every partition up.
    await streamThroughput(
      stack.brokers,
      'warm-up',
      classifiers,
      tensors.slice(0, 400),
    );
    for (const [input, inputs] of [
      ['28x28 tensor', tensors],
      ['photo', files],
    ] as const) {
      const row = await streamThroughput(
        stack.brokers,
        input,
        classifiers,
        inputs,
      );
      say(`stream: ${JSON.stringify(row)}`);
      rows.push(row);
    }
    await Promise.all(replicas.map((app) => app.stop()));
  }
  return rows;
}

async function main(): Promise<void> {
  if (options['prototype-only']) {
    const prototype = await withStack(async (stack) =>
      prototypePhase(await stack.start('trainer')),
    );
    process.stdout.write(`\n${prototypeTable(prototype).join('\n')}\n`);
    return;
  }
  if (options['training-only']) {
    const training = await withStack(async (stack) => {
      const { training, model } = await trainingPhase(stack);
      model.dispose();
      return training;
    });
    process.stdout.write(`\n${trainingTable(training).join('\n')}\n`);
    return;
  }
  if (options['registry-only']) {
    const footprint = await withStack((stack) =>
      registryFootprint({ ...stack, say }),
    );
    process.stdout.write(`\n${registryTable(footprint).join('\n')}\n`);
    return;
  }
  if (options['scaling-only']) {
    const scaling = await withStack(async (stack) => {
      await publishTestModel(stack);
      return scalingPhase(stack, await officialTestImages(MULTI_IMAGES));
    });
    process.stdout.write(`\n${scalingTable(scaling).join('\n')}\n`);
    return;
  }
  if (options['photos-only']) {
    const rows = await withStack(async (stack) => {
      await publishTestModel(stack);
      return photosPhase(stack, await officialTestImages(4 * MULTI_IMAGES));
    });
    process.stdout.write(`\n${photoRowsTable(rows).join('\n')}\n`);
    return;
  }
  const report: BenchReport = await withStack(async (stack) => {
    const { training, model, trainer } = await trainingPhase(stack);
    const prototype = await prototypePhase(trainer);
    const images = await officialTestImages(PHOTO_ACCURACY_IMAGES);
    const served = await ServingModel.of(model);
    const parts = await inProcessPhase(served, stack.brokers, images);
    served.dispose();
    const { http, memory, soak } = await httpPhase(stack, images);
    const stream = await streamPhase(stack, images);
    const scaling = await scalingPhase(stack, images);
    // Last: it publishes 100 versions, which every later start would read the summaries of.
    const registry = await registryFootprint({ ...stack, say });
    memory.trainer = training.trainerPeakRssMb;
    memory['training worker'] = training.workerPeakRssMb;
    return {
      machine: machine(),
      training,
      prototype,
      ...parts,
      http,
      stream,
      scaling,
      registry,
      memory,
      soak,
    };
  });
  await mkdir(join(projectRoot, 'test-output'), { recursive: true });
  await writeFile(
    join(projectRoot, 'test-output/bench.json'),
    JSON.stringify(report, null, 2),
  );
  process.stdout.write(`\n${table(report)}\n`);
}

/** The tests' small model, promoted: the quick modes need a model served, not a trained one. */
async function publishTestModel(stack: BenchStack) {
  const registry = await connectRegistry(stack.brokers);
  const ref = { name: 'bench-small', version: 1 };
  await registry.publish(testModelRecord(ref, await testModelArtifacts()));
  await registry.promote(ref);
  await registry.onModuleDestroy();
}

/** Photo-like uploads against 28x28 PNGs through one gateway and one classifier. */
async function photosPhase(stack: BenchStack, images: TestImage[]) {
  const classifier = await stack.start('classifier');
  const gateway = await stack.start('gateway');
  say(`gateway pid ${gateway.pid}`);
  try {
    return await photoRows({
      gateway,
      classifier,
      brokerPid: stack.brokerPid,
      photos: await uploadedPhotos(images),
      pngs: await Promise.all(
        images.slice(0, MULTI_IMAGES).map((image) => encodePng(image.pixels)),
      ),
      seconds,
      say,
    });
  } finally {
    await Promise.all([gateway, classifier].map((app) => app.stop()));
  }
}

/** Throughput with 1, 2 and 4 classifier processes behind one gateway. */
async function scalingPhase(
  stack: BenchStack,
  images: TestImage[],
): Promise<ScalingRow[]> {
  const pngs = await Promise.all(
    images.slice(0, MULTI_IMAGES).map((image) => encodePng(image.pixels)),
  );
  return classifierScaling({
    startClassifier: () => stack.start('classifier'),
    startGateway: () => stack.start('gateway'),
    pngs,
    seconds,
    say,
  });
}

/**
 * Photos of the size people send a 28x28 classifier (a few hundred pixels a side), in every
 * format of the corpus, as many as the multi-image requests hold.
 */
async function uploadedPhotos(images: TestImage[]) {
  const corpus = await photoCorpus(images.slice(0, 4 * MULTI_IMAGES));
  return corpus
    .filter((photo) => Math.max(photo.width, photo.height) <= 640)
    .slice(0, MULTI_IMAGES)
    .map((photo) => photo.bytes);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function machine(): string {
  return `${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node.js ${process.version}`;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `[bench] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
