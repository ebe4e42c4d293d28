import type { SoakResult } from './soak.js';
import type { HttpRow } from './http-rows.js';
import type { ScalingRow } from './classifier-scaling.js';
import type { KerasReference } from './keras-reference.js';
import type { kafkaRoundTrip } from './kafka-round-trip.js';
import type { modelCeiling } from './model-ceiling.js';
import type { PhotoAccuracy } from './photo-accuracy.js';
import type { PreprocessingCostRow } from './preprocessing-cost.js';
import { registryTable, type RegistryFootprint } from './registry-footprint.js';
import type { StreamRow } from './stream-throughput.js';

/** The CPU columns, in this order. */
const CPU_PROCESSES = ['gateway', 'classifiers', 'kafka', 'load'];

export interface PrototypeComparison {
  batchSize: number;
  epochs: number;
  ours: { trainImages: number; imagesPerSecond: number; testAccuracy: number };
  keras: KerasReference | { skipped: string };
}

export interface BenchReport {
  machine: string;
  training: Record<string, number | undefined>;
  prototype: PrototypeComparison;
  preprocessing: PreprocessingCostRow[];
  accuracy: PhotoAccuracy;
  ceiling: Awaited<ReturnType<typeof modelCeiling>>;
  roundTrip: Awaited<ReturnType<typeof kafkaRoundTrip>>;
  http: HttpRow[];
  stream: StreamRow[];
  scaling: ScalingRow[];
  registry: RegistryFootprint;
  memory: Record<string, number | undefined>;
  soak?: SoakResult;
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/** The bench's figures as Markdown tables, photo-like uploads first. */
export function table(report: BenchReport): string {
  return [
    `Machine: ${report.machine}`,
    ...photoComparison(report.http),
    ...httpTable(report.http, report.ceiling.batchedImagesPerSecond),
    ...streamTable(report.stream),
    ...scalingTable(report.scaling),
    ...registryTable(report.registry),
    ...preprocessingTable(report.preprocessing),
    ...accuracyTable(report.accuracy),
    ...trainingTable(report.training),
    ...prototypeTable(report.prototype),
    ...modelTables(report.ceiling, report.roundTrip),
    '',
    '| peak RSS | MB |',
    '| --- | --- |',
    ...Object.entries(report.memory).map(
      ([app, mb]) => `| ${app} | ${mb?.toFixed(0) ?? '?'} |`,
    ),
    ...(report.soak ? soakTable(report.soak) : []),
  ].join('\n');
}

/** Photo-like uploads against the dataset's 28x28 PNGs, one image a request, same run. */
function photoComparison(http: HttpRow[]): string[] {
  const find = (upload: string, concurrency: number, classifiers: number) =>
    http.find(
      (row) =>
        row.upload === upload &&
        row.imagesPerRequest === 1 &&
        row.concurrency === concurrency &&
        row.classifiers === classifiers,
    );
  const lines = [
    '',
    '| classifiers | photo / 28x28: images/s at concurrency 64 | photo / 28x28: p50 at concurrency 1 |',
    '| --- | --- | --- |',
  ];
  for (const classifiers of [1, 2]) {
    const [photo64, png64, photo1, png1] = [
      find('photo', 64, classifiers),
      find('28x28 PNG', 64, classifiers),
      find('photo', 1, classifiers),
      find('28x28 PNG', 1, classifiers),
    ];
    if (!photo64 || !png64 || !photo1 || !png1) continue;
    lines.push(
      `| ${classifiers} | ${photo64.imagesPerSecond.toFixed(0)} / ${png64.imagesPerSecond.toFixed(0)} = ` +
        `${(photo64.imagesPerSecond / png64.imagesPerSecond).toFixed(2)}x | ` +
        `${photo1.latencyMs.p50} / ${png1.latencyMs.p50} ms = ${(photo1.latencyMs.p50 / png1.latencyMs.p50).toFixed(2)}x |`,
    );
  }
  return lines;
}

function httpTable(http: HttpRow[], batchedImagesPerSecond: number): string[] {
  return [
    '',
    '| upload | classifiers | images/request | concurrency | images/s | p50 ms | p90 ms | p99 ms | errors | ceiling / HTTP | CPU ms/image: gateway, classifiers, kafka, load |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...http.map(
      (row) =>
        `| ${row.upload} | ${row.classifiers} | ${row.imagesPerRequest} | ${row.concurrency} | ${row.imagesPerSecond.toFixed(0)} | ` +
        `${row.latencyMs.p50} | ${row.latencyMs.p90} | ${row.latencyMs.p99} | ${row.errors} | ` +
        `${(batchedImagesPerSecond / Math.max(row.imagesPerSecond, 1)).toFixed(1)}x | ` +
        `${CPU_PROCESSES.map((name) => row.cpuMsPerImage[name]?.toFixed(2) ?? '?').join(', ')} |`,
    ),
  ];
}

function streamTable(rows: StreamRow[]): string[] {
  return [
    '',
    '| streaming path (exactly once), input | classifiers | images | images/s | unanswered |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| ${row.input} | ${row.classifiers} | ${row.images} | ${row.imagesPerSecond.toFixed(0)} | ${row.unanswered} |`,
    ),
  ];
}

function preprocessingTable(rows: PreprocessingCostRow[]): string[] {
  return [
    '',
    '| preprocessing, CPU ms per photo | size | preprocess | libvips: raw decode | image-rs: raw decode | libvips: cheapest decode | preprocess / cheapest |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((row) => {
      const decodes = [row.rawDecodeMs, row.cheapestDecodeMs];
      if (row.imageRsDecodeMs !== undefined) decodes.push(row.imageRsDecodeMs);
      return (
        `| ${row.format} | ${row.size} (${row.width}x${row.height}) | ${row.preprocessMs.toFixed(2)} | ` +
        `${row.rawDecodeMs.toFixed(2)} | ${row.imageRsDecodeMs?.toFixed(2) ?? '-'} | ` +
        `${row.cheapestDecodeMs.toFixed(2)} | ${(row.preprocessMs / Math.min(...decodes)).toFixed(2)}x |`
      );
    }),
  ];
}

function accuracyTable(accuracy: PhotoAccuracy): string[] {
  return [
    '',
    `| served model, ${accuracy.images} test images | accuracy |`,
    '| --- | --- |',
    `| the dataset's 28x28 images | ${percent(accuracy.datasetAccuracy)} |`,
    `| the same as photo-like uploads | ${percent(accuracy.photoAccuracy)} |`,
    ...Object.entries(accuracy.byFormat).map(
      ([format, { images, accuracy: share }]) =>
        `| photos, ${format} (${images}) | ${percent(share)} |`,
    ),
    `| mean difference, photo to dataset image, grey levels | ${accuracy.meanDifference.toFixed(1)} |`,
  ];
}

export function trainingTable(training: BenchReport['training']): string[] {
  return [
    '',
    '| training (default job) | value |',
    '| --- | --- |',
    `| epochs | ${training.epochs} |`,
    `| images/s (median epoch) | ${training.imagesPerSecond?.toFixed(0)} |`,
    `| seconds per epoch (median) | ${training.medianEpochSeconds?.toFixed(1)} |`,
    `| wall time of the job, s | ${training.wallSeconds?.toFixed(0)} |`,
    `| test accuracy | ${percent(training.testAccuracy ?? 0)} |`,
  ];
}

/** The prototype's model trained by the trainer and by Python Keras, same settings, same run. */
export function prototypeTable(prototype: PrototypeComparison): string[] {
  const { ours, keras } = prototype;
  const setting = `${ours.trainImages} images x ${prototype.epochs}, batch ${prototype.batchSize}`;
  if ('skipped' in keras) {
    return [
      '',
      `| seed-cnn (${setting}) | images/s | test accuracy |`,
      '| --- | --- | --- |',
      `| trainer | ${ours.imagesPerSecond.toFixed(0)} | ${percent(ours.testAccuracy)} |`,
      `| Python Keras | skipped: ${keras.skipped} | |`,
    ];
  }
  return [
    '',
    `| seed-cnn (${setting}) | images/s | test accuracy |`,
    '| --- | --- | --- |',
    `| trainer | ${ours.imagesPerSecond.toFixed(0)} | ${percent(ours.testAccuracy)} |`,
    `| Python Keras (${keras.tensorflow}) | ${keras.imagesPerSecond.toFixed(0)} | ${percent(keras.testAccuracy)} |`,
    `| trainer / Keras | ${(ours.imagesPerSecond / keras.imagesPerSecond).toFixed(2)}x | |`,
  ];
}

function modelTables(
  ceiling: BenchReport['ceiling'],
  roundTrip: BenchReport['roundTrip'],
): string[] {
  return [
    '',
    '| model in-process | as served: one graph | layer by layer (tfjs predict) |',
    '| --- | --- | --- |',
    `| one image, median ms | ${ceiling.singleImageMs.toFixed(2)} | ${ceiling.layerByLayer.singleImageMs.toFixed(2)} |`,
    `| one image at a time, images/s | ${ceiling.singleImagesPerSecond.toFixed(0)} | ${ceiling.layerByLayer.singleImagesPerSecond.toFixed(0)} |`,
    `| batches of ${ceiling.batchSize}, images/s | ${ceiling.batchedImagesPerSecond.toFixed(0)} | ${ceiling.layerByLayer.batchedImagesPerSecond.toFixed(0)} |`,
    '',
    '| kafkajs request/reply alone, one at a time | ms |',
    '| --- | --- |',
    `| p50 | ${roundTrip.p50Ms.toFixed(1)} |`,
    `| p99 | ${roundTrip.p99Ms.toFixed(1)} |`,
  ];
}

function soakTable(soaked: SoakResult): string[] {
  return [
    '',
    `Soak: ${soaked.requests} single-image requests at concurrency ${soaked.concurrency} in ` +
      `${soaked.seconds.toFixed(0)} s: ${soaked.ok} answered 2xx, ${soaked.errors} errors.`,
    '',
    '| process | RSS MB at start, then after each tenth of the requests |',
    '| --- | --- |',
    ...Object.entries(soaked.rssMb).map(
      ([app, samples]) => `| ${app} | ${samples.join(' → ')} |`,
    ),
  ];
}

/** Images/s with 1, 2 and 4 classifier processes, and their ratio to one. */
export function scalingTable(rows: ScalingRow[]): string[] {
  return [
    '',
    '| classifiers (16 images/request, concurrency 32) | images/s | ratio to 1 | p50 / p99 ms | errors |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| ${row.classifiers} | ${row.imagesPerSecond.toFixed(0)} | ${row.ratio.toFixed(2)}x | ` +
        `${row.p50Ms} / ${row.p99Ms} | ${row.errors} |`,
    ),
  ];
}
