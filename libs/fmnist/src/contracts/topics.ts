/** Kafka topics of the platform, and how each is laid out when created. */
export const Topics = {
  /** Classification requests: preprocessed 28x28 images with their metadata. */
  images: 'fashion-images',
  /** Where Nest's ClientKafka expects replies for `fashion-images`. */
  imagesReply: 'fashion-images.reply',
  /** The model registry: every published model version and which one is active. */
  models: 'fashion-models',
  /** Model weights, one record per version: read only by processes that load a version. */
  modelWeights: 'fashion-models.weights',
  /** What each classifier serves and failed to load: its latest report, per classifier. */
  modelsServing: 'fashion-models.serving',
  /** Classification requests that could not be processed, kept for inspection. */
  imagesDeadLetter: 'fashion-images.dlq',
  /** The streaming path's default input: image files or 28x28 tensors, keyed by their producer. */
  ingest: 'fashion-images.ingest',
  /** The streaming path's default output: one prediction per input, under the input's key. */
  predictions: 'fashion-predictions',
} as const;

/**
 * Partition counts of the request and reply topics (KAFKA_REQUEST_PARTITIONS,
 * KAFKA_REPLY_PARTITIONS). Those of `fashion-images` bound the classifier replicas that get work.
 */
export interface TopicLayout {
  readonly imagePartitions: number;
  readonly replyPartitions: number;
  /** `retention.ms` of `fashion-images` (KAFKA_REQUEST_RETENTION_MS); REQUEST_RETENTION_MS if absent. */
  readonly requestRetentionMs?: number;
}

/**
 * How long `fashion-images` keeps requests by default: they are people's images (as 28x28), kept
 * only as long as a replay of recent traffic needs them.
 */
export const REQUEST_RETENTION_MS = 24 * 3600 * 1000;

/** The layout of a fresh cluster: four of each, room for four busy classifiers. */
export const DEFAULT_TOPIC_LAYOUT: TopicLayout = {
  imagePartitions: 4,
  replyPartitions: 4,
};

/** Partition count of the streaming path's topics: the ceiling of classifiers sharing a stream. */
export const STREAM_PARTITIONS = 4;

/** Streamed values are image files; photos are larger than Kafka's 1 MB default. */
export const MAX_STREAMED_IMAGE_BYTES = 10 * 1024 * 1024;

/**
 * How long the streaming input keeps what producers wrote by default: these are people's images,
 * kept only as long as a replay of recent traffic needs them.
 */
export const STREAM_INPUT_RETENTION_MS = 24 * 3600 * 1000;

/** The layout of a streaming path's input and output topics, whatever their names. */
export function streamTopicSpecs(
  input: string,
  output: string,
  inputRetentionMs = STREAM_INPUT_RETENTION_MS,
) {
  return [
    {
      topic: input,
      numPartitions: STREAM_PARTITIONS,
      configEntries: [
        {
          name: 'max.message.bytes',
          value: String(MAX_STREAMED_IMAGE_BYTES),
        },
        { name: 'retention.ms', value: String(inputRetentionMs) },
      ],
    },
    { topic: output, numPartitions: STREAM_PARTITIONS },
  ];
}

/** How each topic is laid out when created (the shape of platform's `TopicSpec`). */
export function topicSpecs(layout: TopicLayout) {
  return [
    {
      topic: Topics.images,
      numPartitions: layout.imagePartitions,
      configEntries: [
        {
          name: 'retention.ms',
          value: String(layout.requestRetentionMs ?? REQUEST_RETENTION_MS),
        },
      ],
    },
    { topic: Topics.imagesReply, numPartitions: layout.replyPartitions },
    {
      topic: Topics.models,
      numPartitions: 1,
      configEntries: [
        // Compaction keeps the latest record per key forever: the registry never expires.
        { name: 'cleanup.policy', value: 'compact' },
        // Records written before the weights had a topic of their own carry weights inline.
        { name: 'max.message.bytes', value: String(64 * 1024 * 1024) },
      ],
    },
    {
      topic: Topics.modelWeights,
      numPartitions: 1,
      configEntries: [
        { name: 'cleanup.policy', value: 'compact' },
        // A record is a model's weights: a few megabytes, above Kafka's 1 MB default.
        { name: 'max.message.bytes', value: String(64 * 1024 * 1024) },
      ],
    },
    {
      topic: Topics.modelsServing,
      numPartitions: 1,
      configEntries: [
        // The latest report per classifier, and none of a classifier gone for an hour.
        { name: 'cleanup.policy', value: 'compact,delete' },
        { name: 'retention.ms', value: String(3600 * 1000) },
      ],
    },
    {
      topic: Topics.imagesDeadLetter,
      // As many as the requests: one dead-lettering replica per request partition.
      numPartitions: layout.imagePartitions,
      configEntries: [
        { name: 'retention.ms', value: String(14 * 24 * 3600 * 1000) },
      ],
    },
    ...streamTopicSpecs(Topics.ingest, Topics.predictions),
  ];
}
