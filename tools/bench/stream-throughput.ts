import kafkajs from 'kafkajs';
import { Topics } from '#fmnist';
import { kafkaClientConfig, kafkaConnectionTo } from '#platform';
import type { StreamInput } from '../stream/stream-io.js';
import { runStreamSession } from '../stream/stream-session.js';

const { Kafka, Partitioners } = kafkajs;

export interface StreamRow {
  input: string;
  classifiers: number;
  images: number;
  imagesPerSecond: number;
  /** Inputs without a prediction when the run gave up: should be 0. */
  unanswered: number;
}

/**
 * The streaming path end to end, as its users see it: `inputs` produced to the input topic as
 * fast as kafkajs sends them, timed until the last prediction is read with read_committed.
 */
export async function streamThroughput(
  brokers: string,
  input: string,
  classifiers: number,
  inputs: StreamInput[],
): Promise<StreamRow> {
  const kafka = new Kafka(
    kafkaClientConfig(kafkaConnectionTo(brokers), 'bench-stream'),
  );
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    const outcome = await runStreamSession(
      kafka,
      producer,
      { input: Topics.ingest, output: Topics.predictions },
      inputs,
      {},
      30_000,
    );
    const answered = inputs.length - outcome.unanswered.length;
    return {
      input,
      classifiers,
      images: inputs.length,
      imagesPerSecond: answered / (outcome.elapsedMs / 1000),
      unanswered: outcome.unanswered.length,
    };
  } finally {
    await producer.disconnect();
  }
}
