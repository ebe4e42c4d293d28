/** Kafka does not answer: what was asked of it cannot be done now, and may be retried later. */
export class KafkaUnreachableError extends Error {
  constructor(readonly reason: string) {
    super(`Kafka is not reachable: ${reason}`);
    this.name = 'KafkaUnreachableError';
  }
}
