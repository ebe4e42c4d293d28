import type { AppProcess } from '../launcher/app-process.js';
import { load, multipartBody, warmUp, type LoadResult } from './load.js';
import { cpuMsByThread, cpuSpent } from './process-cpu.js';

export interface PhotoRow extends LoadResult {
  /** CPU ms per image of each process, as the HTTP rows report it. */
  cpuMsPerImage: Record<string, number>;
  /**
   * The gateway's CPU ms per image by thread name: its event loop ('main'), libvips' workers,
   * where images are decoded, and 'node': libuv's pool, where sharp sets up each libvips pipeline,
   * with V8's compiler and garbage collector; 'exited threads' is what threads gone since spent.
   */
  gatewayThreadsMsPerImage: Record<string, number>;
}

const CONCURRENCIES = [1, 16, 64];

/**
 * `--photos-only`: photo-like uploads against the dataset's 28x28 PNGs through one gateway and one
 * classifier, one image a request, with the gateway's CPU split by thread: the quick measure of
 * what a photo costs the gateway, for profiling it (`--gateway-node-options`).
 */
export async function photoRows(options: {
  gateway: AppProcess;
  classifier: AppProcess;
  brokerPid: number | undefined;
  photos: Buffer[];
  pngs: Buffer[];
  seconds: number;
  say: (message: string) => void;
}): Promise<PhotoRow[]> {
  const { gateway, photos, pngs, seconds, say } = options;
  const url = `${gateway.url}/v1/classifications`;
  const targets = (
    [
      ['photo', photos],
      ['28x28 PNG', pngs],
    ] as const
  ).map(([upload, files]) => ({ upload, url, files, bodyOf: multipartBody }));
  await warmUp(targets, Math.max(seconds, 5));
  const rows: PhotoRow[] = [];
  // In turn at each concurrency: drift over the run is shared by photos and 28x28 PNGs alike.
  for (const concurrency of CONCURRENCIES) {
    for (const target of targets) {
      const threadsBefore = await cpuMsByThread(gateway.pid);
      const { result, cpuMs } = await cpuSpent(
        {
          gateway: [gateway.pid],
          classifiers: [options.classifier.pid],
          kafka: [options.brokerPid],
          load: [process.pid],
        },
        () => load(target, 1, concurrency, seconds),
      );
      const threads = difference(
        await cpuMsByThread(gateway.pid),
        threadsBefore,
      );
      const live = Object.values(threads).reduce((sum, ms) => sum + ms, 0);
      threads['exited threads'] = Math.max(0, (cpuMs.gateway ?? 0) - live);
      const images = Math.max(result.requests, 1);
      const row: PhotoRow = {
        ...result,
        cpuMsPerImage: perImage(cpuMs, images),
        gatewayThreadsMsPerImage: perImage(threads, images),
      };
      rows.push(row);
      say(
        `${target.upload}, concurrency ${concurrency}: ${result.imagesPerSecond.toFixed(0)} images/s, ` +
          `p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, errors ${result.errors}, ` +
          `CPU ms/image ${JSON.stringify(row.cpuMsPerImage)}, gateway threads ${JSON.stringify(row.gatewayThreadsMsPerImage)}`,
      );
    }
  }
  return rows.sort((a, b) =>
    a.upload === b.upload ? 0 : a.upload === 'photo' ? -1 : 1,
  );
}

function difference(
  after: Record<string, number>,
  before: Record<string, number>,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after).map(([name, ms]) => [name, ms - (before[name] ?? 0)]),
  );
}

function perImage(
  cpuMs: Record<string, number>,
  images: number,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(cpuMs).map(([name, ms]) => [name, ms / images]),
  );
}

/** The photo rows as Markdown: images/s, latency and the gateway's CPU per image by thread. */
export function photoRowsTable(rows: PhotoRow[]): string[] {
  const threads = [
    ...new Set(
      rows.flatMap((row) => Object.keys(row.gatewayThreadsMsPerImage)),
    ),
  ];
  return [
    '',
    `| upload, 1 image a request | concurrency | images/s | p50 / p99 ms | errors | CPU ms/image: gateway, classifier, kafka, load | gateway by thread: ${threads.join(', ')} |`,
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| ${row.upload} | ${row.concurrency} | ${row.imagesPerSecond.toFixed(0)} | ` +
        `${row.latencyMs.p50} / ${row.latencyMs.p99} | ${row.errors} | ` +
        `${['gateway', 'classifiers', 'kafka', 'load'].map((name) => row.cpuMsPerImage[name]?.toFixed(2) ?? '?').join(', ')} | ` +
        `${threads.map((name) => row.gatewayThreadsMsPerImage[name]?.toFixed(2) ?? '0').join(', ')} |`,
    ),
  ];
}
