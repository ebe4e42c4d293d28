import { Logger } from '@nestjs/common';
import { KafkaLogger } from '@nestjs/microservices';
import { logLevel, type KafkaConfig } from 'kafkajs';

/**
 * The kafkajs client settings of every app: logs go through Nest's logger (so they come out
 * structured), and connection failures surface within seconds instead of retrying for minutes.
 */
export function kafkaClientConfig(
  brokers: string[],
  clientId: string,
): KafkaConfig {
  return {
    clientId,
    brokers,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    // Backoffs capped at 5 s (kafkajs: 30 s): a consumer that gave up during an outage restarts
    // within seconds of the broker's return, and a send gives up after about 20 s.
    retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator: () => KafkaLogger(new Logger(`Kafka:${clientId}`)),
  };
}
