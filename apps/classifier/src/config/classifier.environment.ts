import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsNotEmpty, Matches, Min } from 'class-validator';
import { STREAM_INPUT_RETENTION_MS } from '#fmnist';
import { HttpEnvironment, IsPort, parseBoolean } from '#platform';
import { SERVING_TENSORFLOW_THREADS } from '../tensorflow-threads.js';

/** Kafka's legal topic names. */
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export class ClassifierEnvironment extends HttpEnvironment {
  /** The classifier serves Kafka; this port only carries health and metrics. */
  @IsPort('CLASSIFIER_PORT')
  CLASSIFIER_PORT: number = 3001;

  /** Replicas sharing this group split the partitions of `fashion-images` between them. */
  @IsNotEmpty({ message: 'CLASSIFIER_GROUP_ID must not be empty' })
  CLASSIFIER_GROUP_ID: string = 'fashion-classifier';

  /** Whether this replica also classifies the streaming path (input topic to output topic). */
  @Transform(parseBoolean)
  @IsBoolean({ message: 'STREAM_ENABLED must be true or false' })
  STREAM_ENABLED: boolean = true;

  /** Where producers write images to classify: image files, or 28x28 tensors flagged by a header. */
  @Matches(TOPIC_NAME, {
    message: 'STREAM_INPUT_TOPIC must be a Kafka topic name',
  })
  STREAM_INPUT_TOPIC: string = 'fashion-images.ingest';

  /** Where each input's prediction is written, under the input's key, in a transaction. */
  @Matches(TOPIC_NAME, {
    message: 'STREAM_OUTPUT_TOPIC must be a Kafka topic name',
  })
  STREAM_OUTPUT_TOPIC: string = 'fashion-predictions';

  /**
   * Replicas sharing this group split the input topic's partitions; the transactional ids derive
   * from it, so two streams with different groups never fence each other.
   */
  @IsNotEmpty({ message: 'STREAM_GROUP_ID must not be empty' })
  STREAM_GROUP_ID: string = 'fashion-stream-classifier';

  /**
   * How long the input topic keeps the images produced to it (set on the topic at every start):
   * they are people's images.
   */
  @IsInt({ message: 'STREAM_INPUT_RETENTION_MS must be an integer' })
  @Min(60_000, { message: 'STREAM_INPUT_RETENTION_MS must be at least 60000' })
  STREAM_INPUT_RETENTION_MS: number = STREAM_INPUT_RETENTION_MS;

  /** Image files decoded at once by the streaming path (libvips, one thread each). */
  @IsInt({ message: 'STREAM_DECODE_CONCURRENCY must be an integer' })
  @Min(1, { message: 'STREAM_DECODE_CONCURRENCY must be at least 1' })
  STREAM_DECODE_CONCURRENCY: number = 2;

  /** How often this replica publishes its tally of a running rollout, while it changes. */
  @IsInt({ message: 'ROLLOUT_REPORT_INTERVAL_MS must be an integer' })
  @Min(100, { message: 'ROLLOUT_REPORT_INTERVAL_MS must be at least 100' })
  ROLLOUT_REPORT_INTERVAL_MS: number = 1000;

  /** TensorFlow's threads for one op of a model call; 0: as many as cores (tensorflow-threads.ts). */
  @IsInt({ message: 'TF_NUM_INTRAOP_THREADS must be an integer' })
  @Min(0, { message: 'TF_NUM_INTRAOP_THREADS must be at least 0' })
  TF_NUM_INTRAOP_THREADS: number = SERVING_TENSORFLOW_THREADS;

  /** TensorFlow's threads running a model call's ops side by side; 0: as many as cores. */
  @IsInt({ message: 'TF_NUM_INTEROP_THREADS must be an integer' })
  @Min(0, { message: 'TF_NUM_INTEROP_THREADS must be at least 0' })
  TF_NUM_INTEROP_THREADS: number = SERVING_TENSORFLOW_THREADS;
}
