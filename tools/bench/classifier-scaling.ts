import type { AppProcess } from '../launcher/app-process.js';
import { load, multipartBody, type LoadTarget } from './load.js';

export interface ScalingRow {
  classifiers: number;
  imagesPerSecond: number;
  /** Against one classifier's images/s in the same run. */
  ratio: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** Multi-image requests, enough of them at once to keep every classifier busy. */
const IMAGES_PER_REQUEST = 16;
const CONCURRENCY = 32;

/**
 * One gateway before 1, then 2, then 4 classifier processes of one group: how the classifier
 * side scales on this machine. Each count is loaded briefly first, so that the group has settled
 * on the new replicas (a rebalance) before it is measured.
 */
export async function classifierScaling(options: {
  startClassifier: () => Promise<AppProcess>;
  startGateway: () => Promise<AppProcess>;
  pngs: Buffer[];
  seconds: number;
  say: (message: string) => void;
}): Promise<ScalingRow[]> {
  const { startClassifier, pngs, seconds, say } = options;
  const started: AppProcess[] = [await startClassifier()];
  const gateway = await options.startGateway();
  const target: LoadTarget = {
    upload: '28x28 PNG',
    url: `${gateway.url}/v1/classifications`,
    files: pngs,
    bodyOf: multipartBody,
  };
  const rows: ScalingRow[] = [];
  try {
    for (const classifiers of [1, 2, 4]) {
      while (started.length < classifiers)
        started.push(await startClassifier());
      await load(target, IMAGES_PER_REQUEST, CONCURRENCY, 3);
      const result = await load(
        target,
        IMAGES_PER_REQUEST,
        CONCURRENCY,
        seconds,
      );
      const row: ScalingRow = {
        classifiers,
        imagesPerSecond: result.imagesPerSecond,
        ratio:
          result.imagesPerSecond /
          (rows[0]?.imagesPerSecond ?? result.imagesPerSecond),
        p50Ms: result.latencyMs.p50,
        p99Ms: result.latencyMs.p99,
        errors: result.errors,
      };
      rows.push(row);
      say(`classifier scaling: ${JSON.stringify(row)}`);
    }
  } finally {
    await Promise.all([gateway, ...started].map((app) => app.stop()));
  }
  return rows;
}
