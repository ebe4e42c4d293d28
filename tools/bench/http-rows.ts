import { load, warmUp, type LoadResult, type LoadTarget } from './load.js';
import { cpuSpent } from './process-cpu.js';

export interface HttpRow extends LoadResult {
  classifiers: number;
  /** CPU time per classified image of each process, in ms: where the HTTP path's cost goes. */
  cpuMsPerImage: Record<string, number>;
}

const CONCURRENCIES = [1, 8, 32, 64];
export const MULTI_IMAGES = 16;

/**
 * The HTTP path loaded with each target (kind of upload and route), one and MULTI_IMAGES images a
 * request, at each of its concurrencies, with the CPU time each group of processes spent per image.
 */
export async function httpRows(options: {
  classifiers: number;
  targets: LoadTarget[];
  processes: Parameters<typeof cpuSpent>[0];
  seconds: number;
  say: (message: string) => void;
}): Promise<HttpRow[]> {
  const { classifiers, targets, processes, seconds, say } = options;
  const measured: { target: number; row: HttpRow }[] = [];
  await warmUp(targets, Math.max(seconds, 5));
  // The targets take turns at each point, so that drift over the run (the machine's other load)
  // is shared between them rather than landing on the target measured last.
  for (const imagesPerRequest of [1, MULTI_IMAGES]) {
    for (const concurrency of concurrenciesOf(targets)) {
      for (const [index, target] of targets.entries()) {
        if (!(target.concurrencies ?? CONCURRENCIES).includes(concurrency)) {
          continue;
        }
        const { result, cpuMs } = await cpuSpent(processes, () =>
          load(target, imagesPerRequest, concurrency, seconds),
        );
        const images = Math.max(result.requests * imagesPerRequest, 1);
        const row: HttpRow = {
          ...result,
          classifiers,
          cpuMsPerImage: Object.fromEntries(
            Object.entries(cpuMs).map(([name, ms]) => [name, ms / images]),
          ),
        };
        measured.push({ target: index, row });
        say(
          `${classifiers} classifier(s), ${target.upload}, ${imagesPerRequest} image(s)/request, concurrency ${concurrency}: ` +
            `${result.imagesPerSecond.toFixed(0)} images/s, p50 ${result.latencyMs.p50} ms, ` +
            `p99 ${result.latencyMs.p99} ms, errors ${result.errors}, ` +
            `CPU ms/image ${JSON.stringify(row.cpuMsPerImage)}`,
        );
      }
    }
  }
  // Reported target by target, in the order measured within each.
  return measured.sort((a, b) => a.target - b.target).map(({ row }) => row);
}

function concurrenciesOf(targets: LoadTarget[]): number[] {
  return [
    ...new Set(
      targets.flatMap((target) => target.concurrencies ?? CONCURRENCIES),
    ),
  ].sort((a, b) => a - b);
}
