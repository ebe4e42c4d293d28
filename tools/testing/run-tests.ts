import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createTopics } from '../kafka/create-topics.js';
import { EmbeddedKafka } from '../kafka/embedded-kafka.js';
import { freePortPair } from './free-port.js';

/**
 * `npm test`: the unit and end-to-end suites on a real broker. Without KAFKA_BROKERS a broker of
 * the tests' own is started (own port, own data folder, removed afterwards).
 * Arguments narrow the run to test files whose path contains one of them.
 * A skipped test fails the run (a test that skips itself proves nothing) unless
 * ALLOW_SKIPPED_TESTS=true.
 */
const projectRoot = new URL('../../../', import.meta.url).pathname;
const say = (message: string) => process.stdout.write(`[test] ${message}\n`);

async function testFiles(filters: string[]): Promise<string[]> {
  const dist = join(projectRoot, 'dist');
  const entries = await readdir(dist, { recursive: true });
  return (
    entries
      .filter((entry) => /\.(e2e-)?spec\.js$/.test(entry))
      // A test moved or deleted leaves its compiled copy behind in dist: only current ones run.
      .filter((entry) =>
        existsSync(join(projectRoot, entry.replace(/\.js$/, '.ts'))),
      )
      .map((entry) => join(dist, entry))
      .filter(
        (file) =>
          filters.length === 0 ||
          filters.some((filter) =>
            relative(projectRoot, file).includes(filter),
          ),
      )
      .sort()
  );
}

function runNodeTest(
  files: string[],
  env: NodeJS.ProcessEnv,
  summaryFile: string,
): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--test',
        '--test-concurrency=1',
        // Node's own choice of reporter on the terminal, and TAP into a file for the summary.
        `--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`,
        '--test-reporter-destination=stdout',
        '--test-reporter=tap',
        `--test-reporter-destination=${summaryFile}`,
        ...files,
      ],
      {
        env,
        stdio: 'inherit',
      },
    );
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** The skipped tests the TAP summary counts, failing the run unless they are allowed. */
async function skippedVerdict(summaryFile: string): Promise<number> {
  const tap = await readFile(summaryFile, 'utf8').catch(() => '');
  const skipped = Number(/^# skipped (\d+)$/m.exec(tap)?.[1] ?? 0);
  if (skipped === 0) return 0;
  if (process.env.ALLOW_SKIPPED_TESTS === 'true') {
    say(`${skipped} tests skipped (allowed by ALLOW_SKIPPED_TESTS)`);
    return 0;
  }
  say(
    `${skipped} tests skipped: a skipped test tests nothing; make it run, or set ALLOW_SKIPPED_TESTS=true`,
  );
  return 1;
}

async function main(): Promise<number> {
  const files = await testFiles(process.argv.slice(2));
  if (files.length === 0) {
    say('no test files matched');
    return 1;
  }
  say(
    `${files.length} test files: ${files.map((file) => relative(projectRoot, file)).join(', ')}`,
  );

  let broker: EmbeddedKafka | undefined;
  let dataDir: string | undefined;
  const cacheDir = await mkdtemp(join(tmpdir(), 'fashion-kafka-test-cache-'));
  let brokers = process.env.KAFKA_BROKERS;
  if (brokers) {
    say(`using the Kafka cluster at ${brokers}`);
  } else {
    dataDir = await mkdtemp(join(tmpdir(), 'fashion-kafka-test-'));
    const port = await freePortPair();
    say(`starting a Kafka broker for the tests on 127.0.0.1:${port}`);
    broker = await EmbeddedKafka.start({ dataDir, port, heap: '512m' });
    brokers = broker.brokers;
  }
  const cleanUp = async () => {
    await broker?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    await rm(cacheDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanUp().then(() => process.exit(130)));
  process.once('SIGTERM', () => void cleanUp().then(() => process.exit(143)));

  try {
    await createTopics(brokers);
    const summaryFile = join(cacheDir, 'summary.tap');
    const code = await runNodeTest(
      files,
      {
        ...process.env,
        KAFKA_BROKERS: brokers,
        // What one suite builds at some cost (a trained model) the next one reuses.
        FASHION_TEST_CACHE: cacheDir,
      },
      summaryFile,
    );
    return code || (await skippedVerdict(summaryFile));
  } finally {
    await cleanUp();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `[test] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
