import { KafkaHeaders } from '@nestjs/microservices';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import {
  argMaxRows,
  ClassificationReplySchema,
  ClassificationRequestSchema,
  STREAM_CONTENT_TYPE_HEADER,
  StreamPredictionSchema,
  type ClassificationRequest,
  type ModelRef,
} from '#fmnist';
import {
  offsetsAt,
  partitionBounds,
  readTopicRanges,
  type PartitionRange,
  type RangeMessage,
} from '#platform';
import type { ReplaySource } from './replay.js';

/** What a classifier answered one recorded request. */
export interface ServedAnswer {
  model: ModelRef;
  /** The class it gave each image. */
  labels: Uint8Array;
  inferenceMs: number;
}

/** The messages of a range, per partition, and the test that keeps exactly the range's. */
export interface ResolvedRange {
  partitions: PartitionRange[];
  includes(message: RangeMessage): boolean;
  /** The oldest timestamp in the range: its answers were written after it. */
  sinceMs: number;
  /** Messages in the partitions' ranges (an upper bound of those included). */
  total: number;
}

/** Prefix of the throwaway consumer groups that read a replay's topics. */
export const REPLAY_GROUP_PREFIX = 'fashion-replay';

/** Clocks of the gateways and classifiers may differ this much: answers are read from this far back. */
const CLOCK_SKEW_MS = 60_000;

/**
 * The offsets to read for `source`. A time range maps to offsets directly (Kafka's time index);
 * the newest `last` messages need their timestamps, since requests land on every partition: the
 * newest `last` of each partition are scanned for them first (their values dropped at once).
 */
export async function resolveRange(
  kafka: Kafka,
  admin: Admin,
  source: ReplaySource,
  signal: AbortSignal,
): Promise<ResolvedRange> {
  const bounds = await partitionBounds(admin, source.topic);
  if (source.last === undefined) {
    const from = Date.parse(source.from!);
    const to = source.to === undefined ? Infinity : Date.parse(source.to);
    const starts = await offsetsAt(admin, source.topic, from);
    const ends = Number.isFinite(to)
      ? await offsetsAt(admin, source.topic, to)
      : undefined;
    const partitions = bounds.map(({ partition, low, high }) => ({
      partition,
      start: Math.max(low, starts.get(partition) ?? high),
      end: ends?.get(partition) ?? high,
    }));
    return {
      partitions,
      // Producers' timestamps need not grow with the offsets: the index only brackets them.
      includes: ({ message }) => {
        const at = Number(message.timestamp);
        return at >= from && at < to;
      },
      sinceMs: from,
      total: sizeOf(partitions),
    };
  }
  const last = source.last;
  const windows = bounds.map(({ partition, low, high }) => ({
    partition,
    start: Math.max(low, high - last),
    end: high,
  }));
  const stamps: Stamp[] = [];
  await readTopicRanges(
    kafka,
    source.topic,
    windows,
    (messages) => {
      for (const entry of messages) stamps.push(stampOf(entry));
      return Promise.resolve();
    },
    { groupPrefix: REPLAY_GROUP_PREFIX, signal },
  );
  stamps.sort((a, b) => newestFirst(a, b));
  const threshold = stamps[Math.min(last, stamps.length) - 1];
  const partitions = windows.map(({ partition, end }) => {
    const offsets = stamps
      .slice(0, last)
      .filter((stamp) => stamp.partition === partition)
      .map((stamp) => stamp.offset);
    return {
      partition,
      start: offsets.length ? Math.min(...offsets) : end,
      end,
    };
  });
  return {
    partitions,
    includes: (entry) =>
      threshold !== undefined && newestFirst(stampOf(entry), threshold) <= 0,
    sinceMs: threshold?.timestamp ?? Date.now(),
    total: sizeOf(partitions),
  };
}

/** Reads one answer: the key of what it answers, and what it says; undefined if it is none. */
export type AnswerParser = (
  entry: RangeMessage,
) => [key: string, answer: ServedAnswer] | undefined;

/**
 * The answers on `topic` written since `sinceMs` (less the clocks' skew), by the key of what they
 * answer: the first well-formed answer of each.
 */
export async function readServedAnswers(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  sinceMs: number,
  parse: AnswerParser,
  signal: AbortSignal,
): Promise<Map<string, ServedAnswer>> {
  const [bounds, starts] = await Promise.all([
    partitionBounds(admin, topic),
    offsetsAt(admin, topic, sinceMs - CLOCK_SKEW_MS),
  ]);
  const answers = new Map<string, ServedAnswer>();
  await readTopicRanges(
    kafka,
    topic,
    bounds.map(({ partition, low, high }) => ({
      partition,
      start: Math.max(low, starts.get(partition) ?? high),
      end: high,
    })),
    (messages) => {
      for (const entry of messages) {
        const answer = parse(entry);
        if (answer && !answers.has(answer[0])) answers.set(...answer);
      }
      return Promise.resolve();
    },
    { groupPrefix: REPLAY_GROUP_PREFIX, signal },
  );
  return answers;
}

/** A classifier's reply on `fashion-images.reply`, by the correlation id of its request. */
export const requestReply: AnswerParser = ({ message }) => {
  const correlationId = header(message, KafkaHeaders.CORRELATION_ID);
  // A classifier's error answer is no answer to compare with.
  if (!correlationId || header(message, KafkaHeaders.NEST_ERR) !== undefined) {
    return undefined;
  }
  const reply = ClassificationReplySchema.safeParse(jsonOf(message));
  if (!reply.success) return undefined;
  const { model, predictions, timings } = reply.data;
  return [
    correlationId,
    {
      model,
      labels: argMaxRows(predictions.flatMap((p) => p.probabilities)),
      inferenceMs: timings.inferenceMs,
    },
  ];
};

/** A prediction of the streaming path for an input of `inputTopic`, by its input's position. */
export function streamPrediction(inputTopic: string): AnswerParser {
  return ({ message }) => {
    const prediction = StreamPredictionSchema.safeParse(jsonOf(message));
    if (!prediction.success || prediction.data.source.topic !== inputTopic) {
      return undefined;
    }
    const { source, model, labelIndex, timings } = prediction.data;
    return [
      inputKey(source.partition, source.offset),
      {
        model,
        labels: Uint8Array.of(labelIndex),
        inferenceMs: timings.inferenceMs,
      },
    ];
  };
}

/** How a streamed input is told apart: its place in its topic. */
export function inputKey(partition: number, offset: string): string {
  return `${partition}:${offset}`;
}

/** A streamed input's content type, for the worker to tell tensors from image files. */
export function contentTypeOf(message: KafkaMessage): string | undefined {
  return header(message, STREAM_CONTENT_TYPE_HEADER);
}

/** A recorded request, with what identifies it and its answer; undefined if it is none. */
export function recordedRequest(message: KafkaMessage):
  | {
      request: ClassificationRequest;
      /** The same for the copies the gateway sent again. */
      key: string;
      correlationId?: string;
    }
  | undefined {
  const parsed = ClassificationRequestSchema.safeParse(jsonOf(message));
  if (!parsed.success) return undefined;
  return {
    request: parsed.data,
    key: `${parsed.data.requestId}\n${parsed.data.sentAt}`,
    correlationId: header(message, KafkaHeaders.CORRELATION_ID),
  };
}

interface Stamp {
  timestamp: number;
  partition: number;
  offset: number;
}

function stampOf({ partition, message }: RangeMessage): Stamp {
  return {
    timestamp: Number(message.timestamp),
    partition,
    offset: Number(message.offset),
  };
}

/** Negative when `a` is newer than `b`. */
function newestFirst(a: Stamp, b: Stamp): number {
  return (
    b.timestamp - a.timestamp ||
    b.partition - a.partition ||
    b.offset - a.offset
  );
}

function sizeOf(partitions: PartitionRange[]): number {
  return partitions.reduce(
    (sum, { start, end }) => sum + Math.max(0, end - start),
    0,
  );
}

function header(message: KafkaMessage, name: string): string | undefined {
  const value = message.headers?.[name];
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value[0] : value)?.toString();
}

function jsonOf(message: KafkaMessage): unknown {
  try {
    return JSON.parse(message.value?.toString('utf8') ?? '');
  } catch {
    return undefined;
  }
}
