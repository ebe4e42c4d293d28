import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createTopics } from '../kafka/create-topics.js';
import { EmbeddedKafka } from '../kafka/embedded-kafka.js';
import { freePortPair } from './free-port.js';

/**
 * `npm test`: the unit and end-to-end suites on a real broker. Without KAFKA_BROKERS a broker of
 * the tests' own is started (own port, own data folder, removed afterwards).
 * Arguments narrow the run to test files whose path contains one of them.
 */
const projectRoot = new URL('../../../', import.meta.url).pathname;
const say = (message: string) => process.stdout.write(`[test] ${message}\n`);

async function testFiles(filters: string[]): Promise<string[]> {
  const dist = join(projectRoot, 'dist');
  const entries = await readdir(dist, { recursive: true });
  return entries
    .filter((entry) => /\.(e2e-)?spec\.js$/.test(entry))
    .map((entry) => join(dist, entry))
    .filter(
      (file) =>
        filters.length === 0 ||
        filters.some((filter) => relative(projectRoot, file).includes(filter)),
    )
    .sort();
}

function runNodeTest(files: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--test', '--test-concurrency=1', ...files],
      {
        env,
        stdio: 'inherit',
      },
    );
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
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
    return await runNodeTest(files, {
      ...process.env,
      KAFKA_BROKERS: brokers,
      // What one suite builds at some cost (a trained model) the next one reuses.
      FASHION_TEST_CACHE: cacheDir,
    });
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
