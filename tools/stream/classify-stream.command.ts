import { MultiBar, Presets } from 'cli-progress';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import kafkajs from 'kafkajs';
import { LABELS, Topics } from '#fmnist';
import { kafkaClientConfig, kafkaConnectionTo } from '#platform';
import { listInputFiles } from './input-files.js';
import {
  csvHeader,
  formatResult,
  type ResultFormat,
  type ResultRow,
} from './result-format.js';
import { runStreamSession } from './stream-session.js';

const { Kafka, Partitioners, logLevel } = kafkajs;

/**
 * `npm run classify:stream -- <folder or files>...`: produces the images to the streaming path's
 * input topic and writes each result as it arrives (CSV or JSON lines), then a summary: images/s,
 * label counts, and the accuracy when the folders name the classes (`<folder>/<label>/...`).
 */
const usage = `usage: npm run classify:stream -- <folder or file>... [options]
  --format csv|json    how results are written (csv)
  --out <file>         write results there instead of the standard output
  --brokers <list>     Kafka brokers (KAFKA_BROKERS, else localhost:9092)
  --topic <name>       input topic (STREAM_INPUT_TOPIC, else ${Topics.ingest})
  --predictions <name> output topic (STREAM_OUTPUT_TOPIC, else ${Topics.predictions})
  --timeout <seconds>  give up when nothing arrives for this long (60)`;

function parse() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'csv' },
      out: { type: 'string' },
      brokers: {
        type: 'string',
        default: process.env.KAFKA_BROKERS ?? 'localhost:9092',
      },
      topic: {
        type: 'string',
        default: process.env.STREAM_INPUT_TOPIC ?? Topics.ingest,
      },
      predictions: {
        type: 'string',
        default: process.env.STREAM_OUTPUT_TOPIC ?? Topics.predictions,
      },
      timeout: { type: 'string', default: '60' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const timeout = Number(values.timeout);
  if (
    values.help ||
    positionals.length === 0 ||
    !['csv', 'json'].includes(values.format) ||
    !(timeout > 0)
  ) {
    throw new Error(usage);
  }
  return {
    ...values,
    format: values.format as ResultFormat,
    timeoutMs: timeout * 1000,
    paths: positionals,
  };
}

async function main() {
  const options = parse();
  const files = await listInputFiles(options.paths);
  // Each file is read when its turn to be sent comes: a folder of any size fits in memory.
  const inputs = {
    length: files.length,
    read: async (index: number) => ({
      key: files[index].source,
      value: await readFile(files[index].path),
    }),
  };
  const kafka = new Kafka({
    ...kafkaClientConfig(
      kafkaConnectionTo(options.brokers),
      'fashion-stream-cli',
    ),
    logLevel: logLevel.ERROR,
    logCreator: undefined,
  });
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();

  const out = options.out ? createWriteStream(options.out) : undefined;
  const bars = new MultiBar(
    {
      format: '{name} [{bar}] {value}/{total} | {eta_formatted} left',
      hideCursor: true,
      etaBuffer: 500,
    },
    Presets.shades_classic,
  );
  const sent = bars.create(inputs.length, 0, { name: 'sent      ' });
  const answered = bars.create(inputs.length, 0, { name: 'classified' });
  const write = (line: string) => {
    if (out) out.write(`${line}\n`);
    else if (process.stdout.isTTY) bars.log(`${line}\n`);
    else process.stdout.write(`${line}\n`);
  };
  if (options.format === 'csv') write(csvHeader());

  const counts = new Array<number>(LABELS.length).fill(0);
  let labelled = 0;
  let correct = 0;
  let deadLettered = 0;
  const report = (row: ResultRow) => {
    write(formatResult(row, options.format));
    answered.increment();
  };
  try {
    const outcome = await runStreamSession(
      kafka,
      producer,
      { input: options.topic, output: options.predictions },
      inputs,
      {
        onSent: (count) => sent.increment(count),
        onPrediction: (index, { prediction }) => {
          counts[prediction.labelIndex]++;
          const expected = files[index].label;
          if (expected !== undefined) {
            labelled++;
            if (expected === prediction.labelIndex) correct++;
          }
          report({ source: files[index].source, prediction });
        },
        onDeadLetter: (index, error) => {
          deadLettered++;
          report({ source: files[index].source, error });
        },
      },
      options.timeoutMs,
    );
    bars.stop();
    const seconds = outcome.elapsedMs / 1000;
    const classified = inputs.length - deadLettered - outcome.unanswered.length;
    const summary = [
      `${classified} of ${inputs.length} images classified in ${seconds.toFixed(1)} s ` +
        `(${Math.round(classified / seconds)} images/s), ${deadLettered} refused (dead-lettered)`,
      `labels: ${LABELS.map((label) => `${label.name} ${counts[label.index]}`).join(', ')}`,
    ];
    if (labelled > 0) {
      summary.push(
        `accuracy: ${((100 * correct) / labelled).toFixed(1)}% (${correct} of ${labelled} images in label folders)`,
      );
    }
    if (outcome.unanswered.length > 0) {
      summary.push(
        `no result within ${options.timeoutMs / 1000} s of the last one for ${outcome.unanswered.length} images, ` +
          `e.g. ${files[outcome.unanswered[0]].source}: is a classifier running?`,
      );
      process.exitCode = 1;
    }
    process.stderr.write(`${summary.join('\n')}\n`);
  } finally {
    bars.stop();
    await producer.disconnect();
    await new Promise((resolve) => (out ? out.end(resolve) : resolve(null)));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
