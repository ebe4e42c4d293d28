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

/**
 * Inputs read one at a time when they are sent (files, say), so a run holds only the inputs of
 * one produce request, however many there are.
 */
export interface InputSource {
  readonly length: number;
  read(index: number): Promise<StreamInput>;
}

/** The most inputs, and about the most bytes, one produce request carries. */
export const MESSAGES_PER_SEND = 250;
export const BYTES_PER_SEND = 16 * 1024 * 1024;

/**
 * Produces `inputs` in order, up to `MESSAGES_PER_SEND` and `BYTES_PER_SEND` per request (a
 * larger input goes alone); `onSent` after each request. Of a source, only the inputs of the
 * request being built or sent are read.
 */
export async function produceInputs(
  producer: Producer,
  topic: string,
  inputs: readonly StreamInput[] | InputSource,
  onSent: (count: number) => void = () => undefined,
): Promise<void> {
  const source = asSource(inputs);
  let messages: Message[] = [];
  let bytes = 0;
  const send = async () => {
    await producer.send({ topic, messages });
    onSent(messages.length);
    messages = [];
    bytes = 0;
  };
  for (let index = 0; index < source.length; index++) {
    const input = await source.read(index);
    if (messages.length > 0 && bytes + input.value.length > BYTES_PER_SEND) {
      await send();
    }
    messages.push(toMessage(input));
    bytes += input.value.length;
    if (messages.length >= MESSAGES_PER_SEND) await send();
  }
  if (messages.length > 0) await send();
}

/** A list of inputs already in memory, as a source; a source as it is. */
export function asSource(
  inputs: readonly StreamInput[] | InputSource,
): InputSource {
  if (!Array.isArray(inputs)) return inputs as InputSource;
  const list = inputs as readonly StreamInput[];
  return {
    length: list.length,
    read: (index) => Promise.resolve(list[index]),
  };
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
