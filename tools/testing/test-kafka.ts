/** The brokers `npm test` started (or was pointed at) for the end-to-end suites. */
export function testBrokers(): string {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) {
    throw new Error(
      'KAFKA_BROKERS is not set: run the end-to-end tests through `npm test`',
    );
  }
  return brokers;
}
