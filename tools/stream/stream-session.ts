import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import { DeadLetterRecordSchema, Topics } from '#fmnist';
import {
  asSource,
  produceInputs,
  readCommitted,
  readPredictions,
  type InputSource,
  type ReceivedPrediction,
  type StreamInput,
} from './stream-io.js';

export interface StreamTopics {
  input: string;
  output: string;
}

export interface SessionEvents {
  onSent?: (count: number) => void;
  /** `index` is the input's position in the list given to the session. */
  onPrediction?: (index: number, received: ReceivedPrediction) => void;
  onDeadLetter?: (index: number, reason: string) => void;
}

export interface SessionOutcome {
  elapsedMs: number;
  /** Inputs with neither a prediction nor a dead letter when the session gave up waiting. */
  unanswered: number[];
}

/**
 * Sends `inputs` through the streaming path and follows each one to its prediction or its dead
 * letter, matched by key (each key gets a run id of its own, so other traffic on the topics and
 * earlier runs are ignored). Gives up when nothing arrives for `idleTimeoutMs`. A source (files)
 * is read as it is sent: memory holds one produce request's inputs, not all of them.
 */
export async function runStreamSession(
  kafka: Kafka,
  producer: Producer,
  topics: StreamTopics,
  inputs: readonly StreamInput[] | InputSource,
  events: SessionEvents = {},
  idleTimeoutMs = 60_000,
): Promise<SessionOutcome> {
  const runId = randomUUID().slice(0, 8);
  const source = asSource(inputs);
  const indexOf = (key: string | null | undefined) => {
    const match = key?.startsWith(`${runId}/`)
      ? /^[^/]+\/(\d+)\//.exec(key)
      : null;
    return match ? Number(match[1]) : undefined;
  };
  const pending = new Set(Array.from({ length: source.length }, (_, i) => i));
  let lastArrival = Date.now();
  let allAnswered: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allAnswered = resolve));
  const answered = (index: number | undefined, report: () => void) => {
    if (index === undefined || !pending.delete(index)) return;
    lastArrival = Date.now();
    report();
    if (pending.size === 0) allAnswered();
  };

  const readers = await Promise.all([
    readPredictions(kafka, topics.output, (received) => {
      const index = indexOf(received.key);
      answered(index, () => events.onPrediction?.(index as number, received));
    }),
    readCommitted(kafka, Topics.imagesDeadLetter, (_partition, message) => {
      const record = DeadLetterRecordSchema.safeParse(
        JSON.parse(message.value?.toString('utf8') ?? 'null'),
      );
      if (!record.success || record.data.source.topic !== topics.input) return;
      const index = indexOf(record.data.source.key);
      answered(index, () =>
        events.onDeadLetter?.(index as number, record.data.error),
      );
    }),
  ]);
  const started = performance.now();
  try {
    if (source.length === 0) allAnswered();
    await produceInputs(
      producer,
      topics.input,
      {
        length: source.length,
        read: async (index) => {
          const input = await source.read(index);
          return { ...input, key: `${runId}/${index}/${input.key}` };
        },
      },
      events.onSent,
    );
    lastArrival = Date.now();
    let idle: NodeJS.Timeout | undefined;
    const stalled = new Promise<void>((resolve) => {
      const check = () => {
        if (Date.now() - lastArrival > idleTimeoutMs) resolve();
        else idle = setTimeout(check, 200);
      };
      check();
    });
    await Promise.race([done, stalled]);
    clearTimeout(idle);
    return { elapsedMs: performance.now() - started, unanswered: [...pending] };
  } finally {
    await Promise.all(readers.map((reader) => reader.stop()));
  }
}
