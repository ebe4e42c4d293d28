import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';

export interface EmbeddedKafkaOptions {
  /** Where the broker keeps its log segments, configuration and output. */
  dataDir: string;
  /** Client port on 127.0.0.1; the controller listens on the next port. */
  port: number;
  /** Java heap; the broker needs little for one machine's traffic. */
  heap?: string;
}

const projectRoot = new URL('../../../', import.meta.url).pathname;
const STARTUP_TIMEOUT_MS = 90_000;
const SHUTDOWN_TIMEOUT_MS = 30_000;

/**
 * A single-node KRaft Kafka broker on loopback for one machine: `npm start` and the tests use it
 * when KAFKA_BROKERS does not point at a cluster. The jars come from Maven Central through
 * tools/provision/kafka.sh.
 */
export class EmbeddedKafka {
  private constructor(
    private readonly process: ChildProcess,
    readonly brokers: string,
    readonly logFile: string,
  ) {}

  static async start(options: EmbeddedKafkaOptions): Promise<EmbeddedKafka> {
    // Another broker on the port would answer the readiness probe in this one's place.
    for (const port of [options.port, options.port + 1]) {
      await assertPortFree(port);
    }
    const libs = provisionJars();
    const configFile = await writeConfig(options);
    const classpath = `${libs}/*`;
    const logFile = join(options.dataDir, 'broker.log');
    const jvm = [
      `-Xmx${options.heap ?? '768m'}`,
      `-Dlog4j2.configurationFile=${join(projectRoot, 'tools/kafka/log4j2.yaml')}`,
      '-cp',
      classpath,
    ];

    if (!existsSync(join(options.dataDir, 'logs', 'meta.properties'))) {
      const format = spawnSync(
        'java',
        [
          ...jvm,
          'kafka.tools.StorageTool',
          'format',
          // One argument: a generated id may start with '-', which would read as an option.
          `--cluster-id=${clusterId()}`,
          '-c',
          configFile,
          '--standalone',
        ],
        { encoding: 'utf8' },
      );
      if (format.status !== 0) {
        throw new Error(
          `Formatting the Kafka storage failed:\n${format.stdout}${format.stderr}`,
        );
      }
    }

    const output = createWriteStream(logFile, { flags: 'a' });
    // Its own process group: a terminal's Ctrl-C must not stop the broker before its clients.
    const child = spawn('java', [...jvm, 'kafka.Kafka', configFile], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(output);
    child.stderr.pipe(output);

    const broker = new EmbeddedKafka(
      child,
      `127.0.0.1:${options.port}`,
      logFile,
    );
    try {
      await broker.waitUntilReady();
    } catch (error) {
      await broker.stop();
      throw error;
    }
    return broker;
  }

  /** The broker's JVM, for measuring what it costs. */
  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Stops the broker with SIGTERM (a controlled shutdown), escalating to SIGKILL if it hangs. */
  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null)
      return;
    const exited = new Promise<void>((resolve) =>
      this.process.once('exit', () => resolve()),
    );
    this.process.kill('SIGTERM');
    const timer = setTimeout(
      () => this.process.kill('SIGKILL'),
      SHUTDOWN_TIMEOUT_MS,
    );
    await exited;
    clearTimeout(timer);
  }

  /** Last-resort synchronous kill, for process exit handlers. */
  killNow(): void {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      this.process.kill('SIGKILL');
    }
  }

  private async waitUntilReady(): Promise<void> {
    const exited = new Promise<never>((_, reject) =>
      this.process.once('exit', (code, signal) =>
        reject(
          new Error(
            `Kafka exited during start-up (${signal ?? code}); see ${this.logFile}`,
          ),
        ),
      ),
    );
    const admin = new Kafka({
      brokers: [this.brokers],
      clientId: 'embedded-kafka-probe',
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    }).admin();
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    const probe = async (): Promise<void> => {
      while (Date.now() < deadline) {
        try {
          await admin.connect();
          await admin.describeCluster();
          return;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 250));
        } finally {
          await admin.disconnect();
        }
      }
      throw new Error(
        `Kafka did not answer on ${this.brokers} within ${STARTUP_TIMEOUT_MS} ms; see ${this.logFile}`,
      );
    };
    await Promise.race([probe(), exited]);
  }

  /** The last lines the broker wrote, for error messages. */
  async logTail(lines = 30): Promise<string> {
    const text = await readFile(this.logFile, 'utf8').catch(() => '');
    return text.split('\n').slice(-lines).join('\n');
  }
}

function provisionJars(): string {
  const result = spawnSync(
    'bash',
    [join(projectRoot, 'tools/provision/kafka.sh')],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  if (result.status !== 0) {
    throw new Error(
      'Provisioning the Kafka broker failed (see the messages above)',
    );
  }
  return result.stdout.trim();
}

async function writeConfig({
  dataDir,
  port,
}: EmbeddedKafkaOptions): Promise<string> {
  await mkdir(join(dataDir, 'logs'), { recursive: true });
  const controllerPort = port + 1;
  const properties = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.bootstrap.servers': `127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map':
      'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': join(dataDir, 'logs'),
    'num.partitions': '1',
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '4',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'share.coordinator.state.topic.replication.factor': '1',
    'share.coordinator.state.topic.min.isr': '1',
    // Topics are created explicitly with their layout; a typo must not create a new one.
    'auto.create.topics.enable': 'false',
    // One machine: consumers should not wait for more group members before starting.
    'group.initial.rebalance.delay.ms': '0',
    'log.retention.hours': '24',
    'log.segment.bytes': String(64 * 1024 * 1024),
  };
  const file = join(dataDir, 'server.properties');
  await writeFile(
    file,
    Object.entries(properties)
      .map(([key, value]) => `${key}=${value}`)
      .join('\n') + '\n',
  );
  return file;
}

/** Kafka's cluster ids are 16 random bytes in URL-safe base64 without padding. */
function clusterId(): string {
  return Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString(
    'base64url',
  );
}

function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `port ${port} is in use (another Kafka broker?): choose a free port for the embedded broker`
            : `port ${port} cannot be bound: ${error.message}`,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}
