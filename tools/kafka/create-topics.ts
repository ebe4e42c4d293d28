import { Kafka } from 'kafkajs';
import { topicSpecs, type TopicLayout } from '#fmnist';
import {
  ensureTopics,
  kafkaClientConfig,
  kafkaConnectionTo,
  type PlatformEnvironment,
  type TopicsReport,
} from '#platform';

/**
 * Creates the platform's topics on the cluster at `brokers` (comma-separated host:port), or
 * grows them, laid out as KAFKA_REQUEST_PARTITIONS and KAFKA_REPLY_PARTITIONS of this process
 * say (4 each by default), `fashion-images` keeping requests for KAFKA_REQUEST_RETENTION_MS.
 */
export async function createTopics(brokers: string): Promise<TopicsReport> {
  const environment = kafkaConnectionTo(brokers);
  const admin = new Kafka(
    kafkaClientConfig(environment, 'fashion-setup'),
  ).admin();
  await admin.connect();
  try {
    return await ensureTopics(admin, topicSpecs(topicLayout(environment)));
  } finally {
    await admin.disconnect();
  }
}

/** The topic layout the environment asks for. */
export function topicLayout(environment: PlatformEnvironment): TopicLayout {
  return {
    imagePartitions: environment.KAFKA_REQUEST_PARTITIONS,
    replyPartitions: environment.KAFKA_REPLY_PARTITIONS,
    requestRetentionMs: environment.KAFKA_REQUEST_RETENTION_MS,
  };
}
