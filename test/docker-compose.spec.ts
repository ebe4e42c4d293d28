import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { validateEnvironment } from '#platform';
import { ClassifierEnvironment } from '../apps/classifier/src/config/classifier.environment.js';
import { GatewayEnvironment } from '../apps/gateway/src/config/gateway.environment.js';
import { TrainerEnvironment } from '../apps/trainer/src/config/trainer.environment.js';
import { appEntryPoint, type AppName } from '../tools/launcher/app-process.js';

interface Service {
  image?: string;
  command?: string[];
  ports?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  healthcheck?: { test: string[] };
  volumes?: string[];
  restart?: string;
  stop_grace_period?: string;
}

const projectRoot = new URL('../../', import.meta.url).pathname;
const run = promisify(execFile);
const TEST_KEY = 'compose-test-key-0123456789';

/** `docker-compose config` of the file, with the host's environment plus `env`. */
const composeConfig = (env: NodeJS.ProcessEnv) =>
  run('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
  });

const apps: { app: AppName; environment: object; port: string }[] = [
  {
    app: 'gateway',
    environment: new GatewayEnvironment(),
    port: 'GATEWAY_PORT',
  },
  {
    app: 'classifier',
    environment: new ClassifierEnvironment(),
    port: 'CLASSIFIER_PORT',
  },
  {
    app: 'trainer',
    environment: new TrainerEnvironment(),
    port: 'TRAINER_PORT',
  },
];

async function compose(): Promise<Record<string, Service>> {
  const text = await readFile(`${projectRoot}docker-compose.yml`, 'utf8');
  const document = parse(text, { merge: true }) as {
    services: Record<string, Service>;
  };
  return document.services;
}

/** The compose trainer's settings as the app reads them, the host's key given. */
async function trainerEnvironment(): Promise<TrainerEnvironment> {
  const { trainer } = await compose();
  return validateEnvironment(TrainerEnvironment)({
    ...trainer.environment,
    TRAINER_API_KEY: TEST_KEY,
  });
}

describe('docker-compose.yml', () => {
  it('is a valid compose file (docker-compose config)', async () => {
    await composeConfig({ TRAINER_API_KEY: TEST_KEY }).catch(
      (error: NodeJS.ErrnoException & { stderr?: string }) => {
        assert.fail(
          error.code === 'ENOENT'
            ? 'docker-compose is not installed (tools/provision/test-tools.sh installs it)'
            : `docker-compose rejected the file: ${error.stderr ?? error.message}`,
        );
      },
    );
  });

  it('runs a KRaft broker from the official image, with a health check', async () => {
    const { kafka } = await compose();
    assert.match(kafka.image ?? '', /^apache\/kafka:4\./);
    assert.equal(kafka.environment?.KAFKA_PROCESS_ROLES, 'broker,controller');
    assert.equal(kafka.environment?.KAFKA_AUTO_CREATE_TOPICS_ENABLE, 'false');
    assert.ok(
      kafka.healthcheck?.test.join(' ').includes('kafka-broker-api-versions'),
    );
  });

  it('creates the topics once the broker is healthy, before any app starts', async () => {
    const services = await compose();
    assert.deepEqual(services.topics.command, [
      'node',
      'dist/tools/kafka/create-topics.command.js',
    ]);
    assert.equal(
      services.topics.depends_on?.kafka.condition,
      'service_healthy',
    );
    for (const { app } of apps) {
      assert.equal(
        services[app].depends_on?.topics.condition,
        'service_completed_successfully',
        `${app} must wait for the topics`,
      );
    }
  });

  for (const { app, environment, port } of apps) {
    it(`runs the ${app} as npm start does, with variables the app knows`, async () => {
      const service = (await compose())[app];
      assert.deepEqual(service.command, ['node', appEntryPoint(app)]);
      const variables = Object.keys(service.environment ?? {});
      const unknown = variables.filter((name) => !(name in environment));
      assert.deepEqual(unknown, [], `${app} has no such settings`);
      assert.equal(service.environment?.KAFKA_BROKERS, 'kafka:9092');
      const appPort = String(service.environment?.[port]);
      assert.equal(
        appPort,
        String((environment as Record<string, unknown>)[port]),
        `${port} should stay the documented default`,
      );
      assert.ok(
        service.healthcheck?.test.includes(appPort),
        `the health check must probe port ${appPort}`,
      );
      if (service.ports) {
        assert.ok(
          service.ports.every((mapping) => mapping.endsWith(`:${appPort}`)),
          `${app} publishes a port it does not listen on`,
        );
      }
    });
  }

  it('starts no trainer without a key, since other machines reach it', async () => {
    await assert.rejects(
      composeConfig({ TRAINER_API_KEY: '' }),
      (error: { stderr: string }) =>
        /set TRAINER_API_KEY to a key of 16 characters or more/.test(
          error.stderr,
        ),
    );
    const environment = await trainerEnvironment();
    assert.equal(
      environment.HTTP_HOST,
      '0.0.0.0',
      'the gateway cannot reach it',
    );
  });

  it('keeps Kafka on the compose network: no published port, no listener for the host', async () => {
    const { kafka } = await compose();
    assert.equal(kafka.ports, undefined, 'Kafka is published');
    assert.deepEqual(
      String(kafka.environment?.KAFKA_ADVERTISED_LISTENERS).split(','),
      ['PLAINTEXT://kafka:9092'],
    );
  });

  it('limits what each client of the published gateway may decode', async () => {
    const { gateway } = await compose();
    const environment = validateEnvironment(GatewayEnvironment)(
      gateway.environment ?? {},
    );
    assert.ok(environment.CLASSIFY_RATE_LIMIT > 0, 'no rate limit');
    assert.equal(
      new GatewayEnvironment().CLASSIFY_RATE_LIMIT,
      0,
      'on by default',
    );
  });

  it("lets the gateway, the trainer's one client there, hold all the trainer's event streams", async () => {
    const environment = await trainerEnvironment();
    assert.equal(
      environment.MAX_EVENT_STREAMS_PER_CLIENT,
      environment.MAX_EVENT_STREAMS,
    );
  });

  it('restarts the broker and every app when it crashes, the one-shot topics service never', async () => {
    const services = await compose();
    for (const name of ['kafka', ...apps.map(({ app }) => app)]) {
      assert.equal(services[name].restart, 'unless-stopped', name);
    }
    assert.equal(services.topics.restart, 'no');
  });

  it('gives each app longer to stop than its own shutdown deadline before killing it', async () => {
    const services = await compose();
    for (const { app, environment } of apps) {
      const { stop_grace_period: grace = '10s', environment: variables } =
        services[app];
      const deadlineMs = Number(
        variables?.SHUTDOWN_TIMEOUT_MS ??
          (environment as { SHUTDOWN_TIMEOUT_MS: number }).SHUTDOWN_TIMEOUT_MS,
      );
      const [, seconds] = /^(\d+)s$/.exec(grace) ?? [];
      assert.ok(Number(seconds) * 1000 > deadlineMs, `${app}: ${grace}`);
    }
  });

  it('runs several classifier replicas in one consumer group', async () => {
    const { classifier } = await compose();
    assert.ok((classifier.deploy?.replicas ?? 1) >= 2);
    assert.equal(
      classifier.ports,
      undefined,
      'replicas cannot share a host port',
    );
  });

  it('keeps the trainer data and the broker log on volumes', async () => {
    const { trainer, kafka } = await compose();
    const dataDir = String(trainer.environment?.TRAINER_DATA_DIR);
    assert.ok(
      trainer.volumes?.some((volume) => volume.endsWith(`:${dataDir}`)),
    );
    assert.ok(
      kafka.volumes?.some((volume) => volume.endsWith(':/var/lib/kafka/data')),
    );
  });

  it('builds a runtime image from the lock file that runs as a non-root user', async () => {
    const dockerfile = await readFile(`${projectRoot}Dockerfile`, 'utf8');
    assert.match(dockerfile, /RUN npm ci\b/);
    assert.match(dockerfile, /^USER node$/m);
    assert.match(dockerfile, /FROM node:20-bookworm-slim AS runtime/);
  });
});
