import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { type FashionMnistSplit, exportPngs } from '#fmnist';

/**
 * `npm run fmnist:export -- --out png_data [--split train|test|all] [--merge] [--dir FMNIST_DIR]`:
 * the official Fashion-MNIST images as PNG files, one folder per label, as the prototype's
 * fmnist_to_png.py wrote them. Re-running completes an interrupted export.
 */
const usage =
  'usage: npm run fmnist:export -- --out <folder> [--split train|test|all] [--merge] [--dir <FMNIST_DIR>] [--concurrency <n>]';

function parse() {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      split: { type: 'string', default: 'all' },
      merge: { type: 'boolean', default: false },
      dir: {
        type: 'string',
        default: process.env.FMNIST_DIR ?? '/usr/share/datasets/fashion-mnist',
      },
      concurrency: { type: 'string', default: '16' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const splits: Record<string, FashionMnistSplit[]> = {
    train: ['train'],
    test: ['test'],
    all: ['train', 'test'],
  };
  const concurrency = Number(values.concurrency);
  if (
    values.help ||
    !values.out ||
    !splits[values.split] ||
    !Number.isInteger(concurrency) ||
    concurrency < 1
  ) {
    throw new Error(usage);
  }
  return {
    out: values.out,
    dir: values.dir,
    merge: values.merge,
    splits: splits[values.split],
    concurrency,
  };
}

async function main() {
  const options = parse();
  const bar = new SingleBar(
    {
      format:
        'exporting [{bar}] {percentage}% | {value}/{total} images | {eta_formatted} left',
      etaBuffer: 2000,
    },
    Presets.shades_classic,
  );
  const started = performance.now();
  const result = await exportPngs({
    ...options,
    onProgress: (done, total) => {
      if (done === 1) bar.start(total, 0);
      bar.update(done);
    },
  });
  bar.stop();
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `${result.written} images written, ${result.skipped} already there, into ${options.out} ` +
      `in ${seconds.toFixed(1)} s (${Math.round(result.written / seconds)} images/s)\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
