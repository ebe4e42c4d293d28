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

/**
 * kafkajs turns every `send()` into a produce request of its own: it has no `linger.ms`
 * (tulios/kafkajs#1157). Under load that request, not the message, is what costs the client and
 * the broker most. This producer sends whatever `send()` calls arrive in one turn of the event
 * loop, or while its previous request is in flight, as one `sendBatch()`: a lone message leaves
 * at once, a burst shares a request.
 * Each caller gets the metadata of its own topic's partitions, or the batch's error.
 */
export function coalescingProducer(producer: Producer): Producer {
  let pending: PendingSend[] = [];
  let scheduled = false;
  let inFlight = false;

  const schedule = () => {
    if (scheduled || inFlight || pending.length === 0) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      void flush();
    });
  };

  const flush = async () => {
    const sends = pending;
    pending = [];
    inFlight = true;
    try {
      for (const group of groupByDelivery(sends)) {
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
              metadata.filter(
                ({ topicName }) => topicName === send.record.topic,
              ),
            );
          }
        } catch (error) {
          group.forEach((send) => send.reject(error));
        }
      }
    } finally {
      inFlight = false;
      schedule();
    }
  };

  return {
    ...producer,
    send: (record) =>
      new Promise((resolve, reject) => {
        pending.push({ record, resolve, reject });
        schedule();
      }),
  };
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
export function withCoalescingProducers(kafka: Kafka): Kafka {
  const createProducer = kafka.producer.bind(kafka);
  return Object.assign(Object.create(kafka) as Kafka, {
    producer: (config?: ProducerConfig) =>
      coalescingProducer(createProducer(config)),
  });
}
