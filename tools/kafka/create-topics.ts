import { Kafka } from 'kafkajs';
import { TOPIC_SPECS } from '#fmnist';
import {
  ensureTopics,
  kafkaClientConfig,
  kafkaConnectionTo,
  type TopicsReport,
} from '#platform';

/** Creates the platform's topics on the cluster at `brokers` (comma-separated host:port). */
export async function createTopics(brokers: string): Promise<TopicsReport> {
  const admin = new Kafka(
    kafkaClientConfig(kafkaConnectionTo(brokers), 'fashion-setup'),
  ).admin();
  await admin.connect();
  try {
    return await ensureTopics(admin, TOPIC_SPECS);
  } finally {
    await admin.disconnect();
  }
}
