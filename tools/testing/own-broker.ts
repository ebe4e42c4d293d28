import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTopics } from '../kafka/create-topics.js';
import { EmbeddedKafka } from '../kafka/embedded-kafka.js';
import { freePortPair } from './free-port.js';

export interface OwnBroker {
  /** The `host:port` to give the suite's apps as KAFKA_BROKERS. */
  readonly brokers: string;
  /** Stops the broker and removes its data. */
  stop(): Promise<void>;
}

/**
 * A broker of one suite alone, its topics created and empty: for a test whose condition is what
 * the cluster does not hold (no classifier in the group, no model promoted), which the shared
 * broker of `npm test` cannot promise once other suites have run.
 */
export async function startOwnBroker(): Promise<OwnBroker> {
  const dataDir = await mkdtemp(join(tmpdir(), 'fashion-kafka-own-'));
  const broker = await EmbeddedKafka.start({
    dataDir,
    port: await freePortPair(),
    heap: '384m',
  });
  await createTopics(broker.brokers);
  return {
    brokers: broker.brokers,
    stop: async () => {
      await broker.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
