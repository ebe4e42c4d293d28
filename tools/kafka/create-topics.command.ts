import { createTopics } from './create-topics.js';

/**
 * `npm run kafka:topics` (and the one-shot `topics` service of docker-compose.yml): creates the
 * platform's topics on the cluster in KAFKA_BROKERS.
 */
const brokers = process.env.KAFKA_BROKERS ?? 'localhost:9092';
createTopics(brokers).then(
  ({ created, extended }) => {
    process.stdout.write(
      `topics ready on ${brokers} (created: ${created.join(', ') || 'none'}; ` +
        `partitions added: ${extended.join(', ') || 'none'})\n`,
    );
  },
  (error: unknown) => {
    process.stderr.write(`creating the topics failed: ${String(error)}\n`);
    process.exit(1);
  },
);
