import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel } from 'kafkajs';
import {
  ModelArtifactsSchema,
  Topics,
  weightsChecksum,
  type ModelArtifacts,
} from '#fmnist';
import { buildModel, serializeModel } from '#fmnist/tensorflow';
import type { AppName, AppProcess } from '../launcher/app-process.js';
import { connectRegistry } from '../testing/test-model.js';
import { rssMb } from './process-memory.js';

export interface RegistryRow {
  versions: number;
  app: AppName;
  /** From spawning the process to its readiness answering 200. */
  startSeconds: number;
  /** What it holds once ready. */
  rssMb: number;
}

export interface RegistryFootprint {
  rows: RegistryRow[];
  /** The size of one version's weights, as they lie on the weights topic. */
  weightsMb: number;
  /** A fresh registry reader catching up (every summary), by number of versions: in-process, without the app's boot. */
  catchUpSeconds: Record<number, number>;
  /** A fresh process reading one version's weights by offset, among all versions. */
  oneVersionSeconds: number;
  /** Reading the whole weights topic, as every process did at start before. */
  everyVersionSeconds: number;
}

const VERSION_COUNTS = [1, 100];
/** Starts per figure, of which the median: the machine is shared. */
const STARTS = 3;

/** default-cnn as the trainer publishes it: 815k parameters, weights untrained but full size. */
async function defaultCnnArtifacts(): Promise<ModelArtifacts> {
  const model = buildModel('default-cnn');
  const artifacts = ModelArtifactsSchema.parse(await serializeModel(model));
  model.dispose();
  return artifacts;
}

/**
 * Start-up time and resident memory of a gateway and a classifier with 1 and then 100 published
 * versions of default-cnn's size, each started fresh; and what reading one version's weights
 * costs against reading every version's (the layout before weights had a topic of their own).
 */
export async function registryFootprint(options: {
  brokers: string;
  start: (app: AppName) => Promise<AppProcess>;
  say: (message: string) => void;
}): Promise<RegistryFootprint> {
  const { brokers, start, say } = options;
  const artifacts = await defaultCnnArtifacts();
  const name = `bench-registry-${randomUUID().slice(0, 8)}`;
  const registry = await connectRegistry(brokers);
  const rows: RegistryRow[] = [];
  const catchUpSeconds: Record<number, number> = {};
  const startAndMeasure = async (app: AppName) => {
    const began = performance.now();
    const started = await start(app);
    const startSeconds = (performance.now() - began) / 1000;
    const resident = (await rssMb(started.pid)) ?? 0;
    await started.stop();
    return { startSeconds, rssMb: resident };
  };
  try {
    for (const versions of VERSION_COUNTS) {
      while (
        registry.list().filter((model) => model.name === name).length < versions
      ) {
        await registry.publishNext({
          name,
          architecture: 'default-cnn',
          dataset: 'none (bench)',
          metrics: { accuracy: 0 },
          createdAt: new Date().toISOString(),
          weightsSha256: weightsChecksum(artifacts.weightData),
          artifacts,
        });
      }
      if (versions === 1) await registry.promote({ name, version: 1 });
      catchUpSeconds[versions] = await timeCatchUp(brokers);
      for (const app of ['gateway', 'classifier'] as const) {
        const starts: RegistryRow[] = [];
        for (let start = 0; start < STARTS; start++) {
          starts.push({ versions, app, ...(await startAndMeasure(app)) });
        }
        const row: RegistryRow = {
          versions,
          app,
          startSeconds: median(starts.map((one) => one.startSeconds)),
          rssMb: median(starts.map((one) => one.rssMb)),
        };
        say(
          `registry: ${JSON.stringify(row)}, starts ${starts.map((one) => one.startSeconds.toFixed(1)).join(' / ')} s`,
        );
        rows.push(row);
      }
    }
  } finally {
    await registry.onModuleDestroy();
  }
  const weightsMb =
    Buffer.from(artifacts.weightData, 'base64').length / 2 ** 20;
  return {
    rows,
    catchUpSeconds,
    weightsMb,
    oneVersionSeconds: await timeOneVersion(brokers, name),
    everyVersionSeconds: await timeEveryVersion(brokers),
  };
}

async function timeCatchUp(brokers: string): Promise<number> {
  const began = performance.now();
  const reader = await connectRegistry(brokers);
  const seconds = (performance.now() - began) / 1000;
  await reader.onModuleDestroy();
  return seconds;
}

async function timeOneVersion(brokers: string, name: string): Promise<number> {
  const began = performance.now();
  const reader = await connectRegistry(brokers);
  try {
    await reader.loadRecord({ name, version: 1 });
    return (performance.now() - began) / 1000;
  } finally {
    await reader.onModuleDestroy();
  }
}

async function timeEveryVersion(brokers: string): Promise<number> {
  const kafka = new Kafka({
    brokers: brokers.split(','),
    clientId: 'bench-registry',
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const [{ high }] = await admin.fetchTopicOffsets(Topics.modelWeights);
  const groupId = `bench-registry-${randomUUID()}`;
  const consumer = kafka.consumer({
    groupId,
    maxBytesPerPartition: 64 * 2 ** 20,
    maxBytes: 128 * 2 ** 20,
  });
  const began = performance.now();
  await consumer.connect();
  await consumer.subscribe({ topic: Topics.modelWeights, fromBeginning: true });
  await new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachMessage: ({ message }) => {
        if (BigInt(message.offset) + 1n >= BigInt(high)) resolve();
        return Promise.resolve();
      },
    });
  });
  const seconds = (performance.now() - began) / 1000;
  await consumer.disconnect();
  await admin.deleteGroups([groupId]);
  await admin.disconnect();
  return seconds;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** The figures as a Markdown table: flat start-up and memory is the target. */
export function registryTable(footprint: RegistryFootprint): string[] {
  const cell = (versions: number, app: AppName) => {
    const row = footprint.rows.find(
      (candidate) => candidate.versions === versions && candidate.app === app,
    );
    return row
      ? `${row.startSeconds.toFixed(1)} s, ${row.rssMb.toFixed(0)} MB`
      : '?';
  };
  return [
    '',
    `| registry (default-cnn, ${footprint.weightsMb.toFixed(2)} MB of weights a version) | ${VERSION_COUNTS.map((count) => `${count} version${count === 1 ? '' : 's'}: start, RSS`).join(' | ')} |`,
    `| --- |${VERSION_COUNTS.map(() => ' --- |').join('')}`,
    ...(['gateway', 'classifier'] as const).map(
      (app) =>
        `| ${app} | ${VERSION_COUNTS.map((count) => cell(count, app)).join(' | ')} |`,
    ),
    `| the registry read at start, in-process (every summary) | ${VERSION_COUNTS.map((count) => `${footprint.catchUpSeconds[count]?.toFixed(2) ?? '?'} s`).join(' | ')} |`,
    `| one version's weights read by offset (fresh reader) / every version's read | ${footprint.oneVersionSeconds.toFixed(2)} s | ${footprint.everyVersionSeconds.toFixed(2)} s |`,
  ];
}
