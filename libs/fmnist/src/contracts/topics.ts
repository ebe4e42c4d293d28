/** Kafka topics of the platform, and how each is laid out when created. */
export const Topics = {
  /** Classification requests: preprocessed 28x28 images with their metadata. */
  images: 'fashion-images',
  /** Where Nest's ClientKafka expects replies for `fashion-images`. */
  imagesReply: 'fashion-images.reply',
  /** The model registry: every published model version and which one is active. */
  models: 'fashion-models',
  /** What each classifier serves and failed to load: its latest report, per classifier. */
  modelsServing: 'fashion-models.serving',
  /** Classification requests that could not be processed, kept for inspection. */
  imagesDeadLetter: 'fashion-images.dlq',
} as const;

/** Partition count of `fashion-images`: the unit of parallelism across classifier replicas. */
export const IMAGE_PARTITIONS = 4;

/** How each topic is laid out when created (the shape of platform's `TopicSpec`). */
export const TOPIC_SPECS = [
  { topic: Topics.images, numPartitions: IMAGE_PARTITIONS },
  // One partition per gateway replica at most; four leaves room to scale the gateway out.
  { topic: Topics.imagesReply, numPartitions: 4 },
  {
    topic: Topics.models,
    numPartitions: 1,
    configEntries: [
      // Compaction keeps the latest record per key forever: the registry never expires.
      { name: 'cleanup.policy', value: 'compact' },
      // A record carries a model's weights: a few megabytes, above Kafka's 1 MB default.
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
    numPartitions: IMAGE_PARTITIONS,
    configEntries: [
      { name: 'retention.ms', value: String(14 * 24 * 3600 * 1000) },
    ],
  },
] as const;
