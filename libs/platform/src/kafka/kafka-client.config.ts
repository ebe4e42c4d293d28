import { Logger } from '@nestjs/common';
import type { ConfigService } from '@nestjs/config';
import { KafkaLogger } from '@nestjs/microservices';
import { logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { readFileSync } from 'node:fs';
import { rootCertificates, type ConnectionOptions } from 'node:tls';
import { PlatformEnvironment } from '../config/platform.environment.js';
import { validateEnvironment } from '../config/validate-environment.js';

/** Where the brokers are and how to reach them: the KAFKA_* connection settings. */
export type KafkaConnection = Pick<
  PlatformEnvironment,
  | 'KAFKA_BROKERS'
  | 'KAFKA_SASL_MECHANISM'
  | 'KAFKA_SASL_USERNAME'
  | 'KAFKA_SASL_PASSWORD'
  | 'KAFKA_SSL'
  | 'KAFKA_SSL_CA_FILE'
>;

/** An app's Kafka connection, from its validated configuration. */
function kafkaConnection(
  config: ConfigService<PlatformEnvironment, true>,
): KafkaConnection {
  const get = <K extends keyof KafkaConnection>(key: K) =>
    config.get(key, { infer: true }) as KafkaConnection[K];
  return {
    KAFKA_BROKERS: get('KAFKA_BROKERS'),
    KAFKA_SASL_MECHANISM: get('KAFKA_SASL_MECHANISM'),
    KAFKA_SASL_USERNAME: get('KAFKA_SASL_USERNAME'),
    KAFKA_SASL_PASSWORD: get('KAFKA_SASL_PASSWORD'),
    KAFKA_SSL: get('KAFKA_SSL'),
    KAFKA_SSL_CA_FILE: get('KAFKA_SSL_CA_FILE'),
  };
}

/** The tools' settings: the KAFKA_* variables of this process, with these brokers. */
export function kafkaConnectionTo(brokers: string): PlatformEnvironment {
  return validateEnvironment(PlatformEnvironment)({
    ...process.env,
    KAFKA_BROKERS: brokers,
  });
}

/**
 * The kafkajs client settings of every app: the connection's TLS and SASL, logs through Nest's
 * logger (so they come out structured), and connection failures surfacing within seconds instead
 * of retrying for minutes.
 */
export function kafkaClientConfig(
  connection: KafkaConnection,
  clientId: string,
): KafkaConfig {
  return {
    clientId,
    brokers: connection.KAFKA_BROKERS,
    ssl: sslOptions(connection),
    sasl: saslOptions(connection),
    connectionTimeout: 3000,
    requestTimeout: 10000,
    // Backoffs capped at 5 s (kafkajs: 30 s): a consumer that gave up during an outage restarts
    // within seconds of the broker's return, and a send gives up after about 20 s.
    retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator: () => KafkaLogger(new Logger(`Kafka:${clientId}`)),
  };
}

/**
 * The kafkajs client settings of one of an app's clients: the app's connection, and the client id
 * `<KAFKA_CLIENT_ID_PREFIX>-<role>` that tells its clients apart in the brokers' logs and quotas.
 */
export function appKafkaConfig(
  config: ConfigService<PlatformEnvironment, true>,
  role: string,
): KafkaConfig {
  const prefix = config.get('KAFKA_CLIENT_ID_PREFIX', { infer: true });
  return kafkaClientConfig(kafkaConnection(config), `${prefix}-${role}`);
}

function sslOptions(connection: KafkaConnection): ConnectionOptions | boolean {
  const file = connection.KAFKA_SSL_CA_FILE;
  if (!connection.KAFKA_SSL || file === null) return connection.KAFKA_SSL;
  try {
    // In addition to the system's CAs, which `ca` would otherwise replace.
    return { ca: [...rootCertificates, readFileSync(file, 'utf8')] };
  } catch (error) {
    throw new Error(
      `KAFKA_SSL_CA_FILE ${file} cannot be read: ${(error as Error).message}`,
    );
  }
}

function saslOptions(connection: KafkaConnection): SASLOptions | undefined {
  const mechanism = connection.KAFKA_SASL_MECHANISM;
  if (mechanism === null) return undefined;
  return {
    mechanism,
    username: connection.KAFKA_SASL_USERNAME ?? '',
    password: connection.KAFKA_SASL_PASSWORD ?? '',
  };
}
