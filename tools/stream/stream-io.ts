import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage, Message, Producer } from 'kafkajs';
import {
  STREAM_CONTENT_TYPE_HEADER,
  StreamPredictionSchema,
  TENSOR_CONTENT_TYPE,
  type StreamPrediction,
} from '#fmnist';

/** One input of the streaming path: an image file, or the model's 784 bytes when `tensor`. */
export interface StreamInput {
  key: string;
  value: Buffer;
  tensor?: boolean;
}

export interface ReceivedPrediction {
  key: string | null;
  prediction: StreamPrediction;
  /** Where on the output topic it was read. */
  partition: number;
  offset: string;
}

const MESSAGES_PER_SEND = 250;

/** Produces `inputs` in order, `MESSAGES_PER_SEND` per request; `onSent` after each request. */
export async function produceInputs(
  producer: Producer,
  topic: string,
  inputs: readonly StreamInput[],
  onSent: (count: number) => void = () => undefined,
): Promise<void> {
  for (let start = 0; start < inputs.length; start += MESSAGES_PER_SEND) {
    const messages = inputs
      .slice(start, start + MESSAGES_PER_SEND)
      .map(toMessage);
    await producer.send({ topic, messages });
    onSent(messages.length);
  }
}

function toMessage({ key, value, tensor }: StreamInput): Message {
  return {
    key,
    value,
    headers: tensor
      ? { [STREAM_CONTENT_TYPE_HEADER]: TENSOR_CONTENT_TYPE }
      : undefined,
  };
}

export interface TopicReader {
  /** The offset after the last one read on `partition` (a transaction marker counts). */
  position(partition: number): bigint | undefined;
  stop(): Promise<void>;
}

/**
 * Reads `topic` from now on (or from its beginning) as a `read_committed` consumer of a group
 * of its own: only what committed transactions wrote, each once. Its position is taken before
 * this returns, so nothing written afterwards is missed, however long the group takes to form.
 */
export async function readCommitted(
  kafka: Kafka,
  topic: string,
  onMessage: (partition: number, message: KafkaMessage) => void,
  { fromBeginning = false } = {},
): Promise<TopicReader> {
  const ends = await topicEnds(kafka, topic);
  const consumer = kafka.consumer({
    groupId: `fashion-stream-reader-${randomUUID()}`,
    readUncommitted: false,
  });
  const positions = new Map<number, bigint>();
  const joined = new Promise<void>((resolve) =>
    consumer.on(consumer.events.GROUP_JOIN, () => resolve()),
  );
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: ({ batch }) => {
      for (const message of batch.messages) onMessage(batch.partition, message);
      positions.set(batch.partition, BigInt(batch.lastOffset()) + 1n);
      return Promise.resolve();
    },
  });
  if (!fromBeginning) {
    for (const { partition, offset } of ends) {
      consumer.seek({ topic, partition, offset });
    }
  }
  // Whoever times what it reads should not count the group's forming.
  await joined;
  return {
    position: (partition) => positions.get(partition),
    stop: () => consumer.disconnect(),
  };
}

/** The high watermark of each partition of `topic`, and its low. */
export async function topicEnds(kafka: Kafka, topic: string) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
}

/** The predictions written to `topic`, as readCommitted reads them. */
export function readPredictions(
  kafka: Kafka,
  topic: string,
  onPrediction: (received: ReceivedPrediction) => void,
  options: { fromBeginning?: boolean } = {},
): Promise<TopicReader> {
  return readCommitted(
    kafka,
    topic,
    (partition, message) => {
      if (!message.value) return;
      onPrediction({
        key: message.key?.toString() ?? null,
        prediction: StreamPredictionSchema.parse(
          JSON.parse(message.value.toString('utf8')),
        ),
        partition,
        offset: message.offset,
      });
    },
    options,
  );
}
