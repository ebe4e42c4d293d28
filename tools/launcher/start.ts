import { join } from 'node:path';
import { validateEnvironment } from '#platform';
import { ClassifierEnvironment } from '../../apps/classifier/src/config/classifier.environment.js';
import { GatewayEnvironment } from '../../apps/gateway/src/config/gateway.environment.js';
import { TrainerEnvironment } from '../../apps/trainer/src/config/trainer.environment.js';
import { createTopics } from '../kafka/create-topics.js';
import { EmbeddedKafka } from '../kafka/embedded-kafka.js';
import { AppProcess } from './app-process.js';
import { SupervisedApp } from './supervised-app.js';

/**
 * `npm start`: the whole platform on one machine. Uses the cluster in KAFKA_BROKERS, or starts the
 * embedded broker; creates the topics; starts the apps, restarting any that crashes, and stops all
 * of it, apps first, on Ctrl-C (or SIGTERM), or when an app keeps crashing before it serves.
 */
const projectRoot = new URL('../../../', import.meta.url).pathname;
const say = (message: string) => process.stdout.write(`[start] ${message}\n`);

async function main(): Promise<void> {
  const apps: SupervisedApp[] = [];
  let broker: EmbeddedKafka | undefined;
  let stopping = false;

  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping the apps');
    await Promise.all(apps.map((app) => app.stop()));
    if (broker) {
      say('stopping the Kafka broker');
      await broker.stop();
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  process.on('exit', () => {
    apps.forEach((app) => app.killNow());
    broker?.killNow();
  });

  try {
    let brokers = process.env.KAFKA_BROKERS;
    if (brokers) {
      say(`using the Kafka cluster at ${brokers}`);
    } else {
      const dataDir =
        process.env.EMBEDDED_KAFKA_DIR ?? join(projectRoot, '.data/kafka');
      const port = Number(process.env.EMBEDDED_KAFKA_PORT ?? 9092);
      say(
        `starting the embedded Kafka broker on 127.0.0.1:${port} (data in ${dataDir})`,
      );
      broker = await EmbeddedKafka.start({ dataDir, port });
      brokers = broker.brokers;
    }
    const topics = await createTopics(brokers);
    say(`topics ready (created: ${topics.created.join(', ') || 'none'})`);

    const env = { ...process.env, KAFKA_BROKERS: brokers };
    const gateway = validateEnvironment(GatewayEnvironment)(env);
    const classifier = validateEnvironment(ClassifierEnvironment)(env);
    const trainer = validateEnvironment(TrainerEnvironment)(env);
    const supervise = (options: Parameters<typeof AppProcess.spawn>[0]) =>
      new SupervisedApp(options.app, () => AppProcess.spawn(options), say);
    apps.push(
      supervise({ app: 'trainer', port: trainer.TRAINER_PORT, env }),
      supervise({
        app: 'classifier',
        port: classifier.CLASSIFIER_PORT,
        env,
      }),
      supervise({
        app: 'gateway',
        port: gateway.GATEWAY_PORT,
        // The gateway forwards the trainer API to the trainer started here.
        env: {
          TRAINER_URL: `http://127.0.0.1:${trainer.TRAINER_PORT}`,
          ...env,
        },
      }),
    );
    for (const app of apps) {
      void app.givenUp.then((reason) => {
        say(`${reason}; stopping everything`);
        void stop(1);
      });
    }
    await Promise.all(apps.map((app) => app.up));

    const base = `http://localhost:${gateway.GATEWAY_PORT}`;
    say('the platform is up:');
    say(`  web page        ${base}/`);
    say(`  gateway API     ${base}/docs`);
    say(`  trainer API     http://localhost:${trainer.TRAINER_PORT}/docs`);
    say(
      `  classifier      http://localhost:${classifier.CLASSIFIER_PORT}/health`,
    );
    say(`  Kafka           ${brokers}`);
    say('press Ctrl-C to stop');
  } catch (error) {
    process.stderr.write(
      `[start] ${error instanceof Error ? error.message : String(error)}\n`,
    );
    await stop(1);
  }
}

void main();
