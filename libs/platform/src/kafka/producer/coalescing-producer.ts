import type {
  Kafka,
  Producer,
  ProducerConfig,
  ProducerRecord,
  RecordMetadata,
} from 'kafkajs';

interface PendingSend {
  record: ProducerRecord;
  resolve: (metadata: RecordMetadata[]) => void;
  reject: (error: unknown) => void;
}

export interface CoalescingOptions {
  /**
   * Most sends waiting for the produce request in flight; a send beyond it is refused at once
   * with a ProducerQueueFullError instead of queueing without bound. Unbounded when absent.
   */
  maxQueuedSends?: number;
  /**
   * Whether other sends are on their way (the gateway: uploads being decoded). While they are, a
   * request waits for them up to `lingerMs` from its first send's arrival; once nothing more is
   * coming it leaves at once. Never asked when `lingerMs` is 0 or absent.
   */
  moreSendsComing?: () => boolean;
  /** The longest a send waits for company while `moreSendsComing()`; 0 (the default): never. */
  lingerMs?: number;
}

/** The producer already holds as many sends as it may: the caller should shed load. */
export class ProducerQueueFullError extends Error {
  constructor(readonly maxQueuedSends: number) {
    super(
      `the Kafka producer already holds ${maxQueuedSends} sends waiting to go`,
    );
    this.name = 'ProducerQueueFullError';
  }
}

const DRAIN_POLL_MS = 5;

/**
 * kafkajs turns every `send()` into a produce request of its own: it has no `linger.ms`
 * (tulios/kafkajs#1157). Under load that request, not the message, is what costs the client and
 * the broker most. This producer sends whatever `send()` calls arrive in one turn of the event
 * loop, or while its previous request is in flight, as one `sendBatch()`: a lone message leaves
 * at once, a burst shares a request. Sends that trickle in (each upload's decode ending at its
 * own moment) can also linger for the ones known to be coming (`moreSendsComing`, `lingerMs`),
 * as Kafka's own producer lingers: then everything downstream, the broker, the classifiers' model
 * calls and their replies, works on batches too.
 * Each caller gets the metadata of its own topic's partitions, or its own error (see
 * `sendGroup`).
 */
export function coalescingProducer(
  producer: Producer,
  options: CoalescingOptions = {},
): Producer {
  const maxQueued = options.maxQueuedSends ?? Infinity;
  const lingerMs = options.lingerMs ?? 0;
  const moreSendsComing = options.moreSendsComing ?? (() => false);
  let pending: PendingSend[] = [];
  let firstPendingAt = 0;
  let scheduled = false;
  let lingering: NodeJS.Timeout | undefined;
  let inFlight = false;

  const schedule = () => {
    if (scheduled || inFlight || pending.length === 0) return;
    const waited = performance.now() - firstPendingAt;
    if (lingerMs > 0 && waited < lingerMs && moreSendsComing()) {
      lingering ??= setTimeout(go, lingerMs - waited);
      return;
    }
    clearTimeout(lingering);
    lingering = undefined;
    scheduled = true;
    setImmediate(go);
  };

  // Reached from the linger's timer, or from setImmediate once schedule() has cleared it.
  const go = () => {
    lingering = undefined;
    scheduled = false;
    void flush();
  };

  const flush = async () => {
    const sends = pending;
    pending = [];
    inFlight = true;
    try {
      for (const group of groupByDelivery(sends)) {
        await sendGroup(producer, group);
      }
    } finally {
      inFlight = false;
      schedule();
    }
  };

  const drained = async () => {
    while (scheduled || lingering || inFlight || pending.length > 0) {
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
  };

  return {
    ...producer,
    // What was handed to send() still goes out: a server's replies are sent after its handler
    // returns, and a consumer that stops on SIGTERM must not lose the answers it computed.
    disconnect: async () => {
      await drained();
      await producer.disconnect();
    },
    send: (record) =>
      new Promise((resolve, reject) => {
        if (pending.length >= maxQueued) {
          reject(new ProducerQueueFullError(maxQueued));
          return;
        }
        if (pending.length === 0) firstPendingAt = performance.now();
        pending.push({ record, resolve, reject });
        schedule();
      }),
  };
}

/**
 * One produce request for the group. kafkajs fails a whole produce request when the broker
 * refuses any partition of it (a non-retriable KafkaJSProtocolError such as MESSAGE_TOO_LARGE),
 * and an invalid message fails the whole batch on the client's side (KafkaJSNonRetriableError):
 * errors about what was sent, not about the connection. Then each send goes again on its own,
 * so only the refused one fails
 * - also when fine messages were refused together because their partition's share of the batch
 * was over the broker's `max.message.bytes`. The sends of partitions the broker had accepted in
 * that request are written twice; their consumers must tolerate a duplicate (the classifiers'
 * requests and replies do: the second classification, or reply, is ignored).
 * Connection failures (retriable, or retries exhausted) reject every send of the group as is:
 * sending each again would only multiply the wait.
 */
async function sendGroup(
  producer: Producer,
  group: PendingSend[],
): Promise<void> {
  const { acks, timeout, compression } = group[0].record;
  try {
    const metadata = await producer.sendBatch({
      acks,
      timeout,
      compression,
      topicMessages: group.map(({ record }) => ({
        topic: record.topic,
        messages: record.messages,
      })),
    });
    for (const send of group) {
      send.resolve(
        metadata.filter(({ topicName }) => topicName === send.record.topic),
      );
    }
  } catch (error) {
    if (group.length > 1 && refusesWhatWasSent(error)) {
      await Promise.all(
        group.map((send) =>
          producer.send(send.record).then(send.resolve, send.reject),
        ),
      );
      return;
    }
    group.forEach((send) => send.reject(error));
  }
}

function refusesWhatWasSent(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { retriable } = error as { retriable?: boolean };
  return (
    error.name === 'KafkaJSNonRetriableError' ||
    (error.name === 'KafkaJSProtocolError' && retriable === false)
  );
}

/** Sends asking for other acks, timeout or compression cannot share a request. */
function groupByDelivery(sends: PendingSend[]): PendingSend[][] {
  const groups = new Map<string, PendingSend[]>();
  for (const send of sends) {
    const { acks, timeout, compression } = send.record;
    const key = `${acks}/${timeout}/${compression}`;
    const group = groups.get(key);
    if (group) group.push(send);
    else groups.set(key, [send]);
  }
  return [...groups.values()];
}

/** The same client, its producers coalescing their sends. */
export function withCoalescingProducers(
  kafka: Kafka,
  options: CoalescingOptions = {},
): Kafka {
  const createProducer = kafka.producer.bind(kafka);
  return Object.assign(Object.create(kafka) as Kafka, {
    producer: (config?: ProducerConfig) =>
      coalescingProducer(createProducer(config), options),
  });
}
