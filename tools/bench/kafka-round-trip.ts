import { randomUUID } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { DEFAULT_TOPIC_LAYOUT } from '#fmnist';
import { kafkaClientConfig, kafkaConnectionTo } from '#platform';

export interface RoundTripResult {
  roundTrips: number;
  p50Ms: number;
  p99Ms: number;
}

const REQUESTS = 'bench-round-trip-requests';
const REPLIES = 'bench-round-trip-replies';

function percentile(sorted: number[], fraction: number): number {
  return sorted[
    Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))
  ];
}

/**
 * The floor under the HTTP path at concurrency 1: a message of a single-image request's size
 * produced with kafkajs, consumed and answered by another consumer, and the answer consumed, one at
 * a time, on the same broker and with the same topic layout, but without HTTP, Nest or a model.
 */
export async function kafkaRoundTrip(
  brokers: string,
  roundTrips = 500,
): Promise<RoundTripResult> {
  const kafka = new Kafka(
    kafkaClientConfig(kafkaConnectionTo(brokers), 'bench-round-trip'),
  );
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [REQUESTS, REPLIES].map((topic) => ({
      topic,
      numPartitions: DEFAULT_TOPIC_LAYOUT.imagePartitions,
    })),
  });
  const run = randomUUID();
  const serverProducer = kafka.producer();
  const clientProducer = kafka.producer();
  const server = kafka.consumer({ groupId: `bench-server-${run}` });
  const client = kafka.consumer({ groupId: `bench-client-${run}` });
  const waiting = new Map<string, () => void>();
  try {
    await Promise.all(
      [serverProducer, clientProducer, server, client].map((part) =>
        part.connect(),
      ),
    );
    // New topics: from the beginning, nothing sent before a group had its partitions is missed.
    await server.subscribe({ topic: REQUESTS, fromBeginning: true });
    await client.subscribe({ topic: REPLIES, fromBeginning: true });
    await server.run({
      eachMessage: async ({ message }) => {
        await serverProducer.send({
          topic: REPLIES,
          messages: [{ key: message.key, value: message.value }],
        });
      },
    });
    await client.run({
      eachMessage: ({ message }) => {
        const key = message.key?.toString() ?? '';
        waiting.get(key)?.();
        waiting.delete(key);
        return Promise.resolve();
      },
    });
    // A single-image request: 784 bytes in base64 and its envelope.
    const value = Buffer.alloc(1200, 'a');
    const once = async (index: number) => {
      const key = `${run}-${index}`;
      const started = performance.now();
      const answered = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('no reply within 30 s')),
          30_000,
        );
        waiting.set(key, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      await clientProducer.send({
        topic: REQUESTS,
        messages: [{ key, value }],
      });
      await answered;
      return performance.now() - started;
    };
    // The first ones wait for the groups to get their partitions, and warm both ends up.
    for (let warmUp = 0; warmUp < 100; warmUp++) await once(-1 - warmUp);
    const times: number[] = [];
    for (let index = 0; index < roundTrips; index++)
      times.push(await once(index));
    times.sort((a, b) => a - b);
    return {
      roundTrips,
      p50Ms: percentile(times, 0.5),
      p99Ms: percentile(times, 0.99),
    };
  } finally {
    await Promise.all(
      [server, client, serverProducer, clientProducer].map((part) =>
        part.disconnect(),
      ),
    );
    await admin.deleteTopics({ topics: [REQUESTS, REPLIES] });
    await admin.disconnect();
  }
}
