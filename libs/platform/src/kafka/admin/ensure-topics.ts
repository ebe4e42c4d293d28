import kafkajs, { type Admin } from 'kafkajs';

/** How a topic is laid out when created. */
export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions: number;
  readonly configEntries?: readonly { name: string; value: string }[];
}

export interface TopicsReport {
  created: string[];
  extended: string[];
}

const { ConfigResourceTypes, ConfigSource } = kafkajs;

/**
 * Creates the topics that are missing, grows those with fewer partitions than specified and
 * sets the specified configuration on those that exist (a newer release may change it), keeping
 * whatever else an operator set on them. Idempotent, so every start may call it; topics are never
 * left to broker auto-creation, which would give them the broker's default layout.
 */
export async function ensureTopics(
  admin: Admin,
  specs: readonly TopicSpec[],
): Promise<TopicsReport> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.topic));
  if (missing.length > 0) {
    await admin.createTopics({
      topics: missing.map((spec) => ({
        topic: spec.topic,
        numPartitions: spec.numPartitions,
        configEntries: spec.configEntries?.map((entry) => ({ ...entry })),
      })),
    });
    await waitForLeaders(
      admin,
      missing.map((spec) => spec.topic),
    );
  }

  const present = specs.filter((spec) => existing.has(spec.topic));
  const extended: string[] = [];
  if (present.length > 0) {
    const metadata = await admin.fetchTopicMetadata({
      topics: present.map((spec) => spec.topic),
    });
    const short = present.filter((spec) => {
      const found = metadata.topics.find((topic) => topic.name === spec.topic);
      return (found?.partitions.length ?? 0) < spec.numPartitions;
    });
    if (short.length > 0) {
      await admin.createPartitions({
        topicPartitions: short.map((spec) => ({
          topic: spec.topic,
          count: spec.numPartitions,
        })),
      });
      extended.push(...short.map((spec) => spec.topic));
    }
  }
  await completeConfigs(
    admin,
    present.filter((spec) => spec.configEntries?.length),
  );
  return { created: missing.map((spec) => spec.topic), extended };
}

/**
 * Sets our entries where a topic's differ. kafkajs has no IncrementalAlterConfigs, and
 * AlterConfigs replaces a topic's whole configuration: what the topic has set of its own (an
 * operator's retention, say) is read first and sent again with ours, so only our keys change.
 */
async function completeConfigs(
  admin: Admin,
  specs: readonly TopicSpec[],
): Promise<void> {
  if (specs.length === 0) return;
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: specs.map((spec) => ({
      type: ConfigResourceTypes.TOPIC,
      name: spec.topic,
    })),
  });
  const changes = specs.flatMap((spec) => {
    const current = new Map(
      resources
        .find((resource) => resource.resourceName === spec.topic)
        ?.configEntries.filter(
          (entry) => entry.configSource === ConfigSource.TOPIC_CONFIG,
        )
        .map((entry) => [entry.configName, entry.configValue]),
    );
    const differing = (spec.configEntries ?? []).filter(
      (entry) => current.get(entry.name) !== entry.value,
    );
    if (differing.length === 0) return [];
    for (const entry of differing) current.set(entry.name, entry.value);
    return [
      {
        type: ConfigResourceTypes.TOPIC,
        name: spec.topic,
        configEntries: [...current].map(([name, value]) => ({ name, value })),
      },
    ];
  });
  if (changes.length > 0) {
    await admin.alterConfigs({ validateOnly: false, resources: changes });
  }
}

const LEADER_WAIT_MS = 30_000;
const LEADER_POLL_MS = 100;

/**
 * Until every partition of the new topics has a leader. kafkajs's own `waitForLeaders` gives up
 * on the first "This server does not host this topic-partition", which a freshly started KRaft
 * broker answers while the topic's metadata is still on its way.
 */
async function waitForLeaders(admin: Admin, topics: string[]): Promise<void> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  for (;;) {
    const ready = await admin
      .fetchTopicMetadata({ topics })
      .then(({ topics: found }) =>
        found.every(
          (topic) =>
            topic.partitions.length > 0 &&
            topic.partitions.every((partition) => partition.leader >= 0),
        ),
      )
      .catch((error: unknown) => {
        if (Date.now() > deadline) throw error;
        return false;
      });
    if (ready) return;
    if (Date.now() > deadline) {
      throw new Error(
        `topics ${topics.join(', ')} have no leaders after ${LEADER_WAIT_MS} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, LEADER_POLL_MS));
  }
}
