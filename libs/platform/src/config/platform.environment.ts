import { Transform } from 'class-transformer';
import {
  ArrayNotEmpty,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
} from 'class-validator';
import { CommaSeparated } from './comma-separated.js';
import { parseBoolean } from './parse-boolean.js';

export const LOG_LEVELS = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const SASL_MECHANISMS = [
  'plain',
  'scram-sha-256',
  'scram-sha-512',
] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** Empty counts as unset (compose passes unset variables as empty); null, as ConfigService needs. */
const EmptyAsNull = () =>
  Transform(({ value }: { value: unknown }) =>
    value === '' || value === undefined ? null : value,
  );

/** Set when SASL is: the credentials mean nothing without a mechanism, and vice versa. */
const WithSasl = () =>
  ValidateIf(
    (environment: PlatformEnvironment) =>
      environment.KAFKA_SASL_MECHANISM !== null,
  );

/** Settings every app shares: where Kafka is and how much to log. */
export class PlatformEnvironment {
  /** Comma-separated `host:port` list of bootstrap brokers. */
  @CommaSeparated()
  @ArrayNotEmpty({ message: 'KAFKA_BROKERS must name at least one broker' })
  @Matches(/^[^\s:]+:\d+$/, {
    each: true,
    message: 'KAFKA_BROKERS must be a comma-separated list of host:port',
  })
  KAFKA_BROKERS: string[] = ['localhost:9092'];

  @IsIn(LOG_LEVELS, {
    message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`,
  })
  LOG_LEVEL: LogLevel = 'info';

  /** Prefix of the Kafka client ids, so brokers' logs tell the apps apart. */
  @IsString()
  KAFKA_CLIENT_ID_PREFIX: string = 'fashion';

  /** SASL authentication to the brokers; unset: none (the embedded broker, the compose network). */
  @EmptyAsNull()
  @IsOptional()
  @IsIn(SASL_MECHANISMS, {
    message: `KAFKA_SASL_MECHANISM must be one of ${SASL_MECHANISMS.join(', ')}, or unset`,
  })
  KAFKA_SASL_MECHANISM: SaslMechanism | null = null;

  @EmptyAsNull()
  @WithSasl()
  @IsNotEmpty({
    message: 'KAFKA_SASL_USERNAME must be set with KAFKA_SASL_MECHANISM',
  })
  KAFKA_SASL_USERNAME: string | null = null;

  @EmptyAsNull()
  @WithSasl()
  @IsNotEmpty({
    message: 'KAFKA_SASL_PASSWORD must be set with KAFKA_SASL_MECHANISM',
  })
  KAFKA_SASL_PASSWORD: string | null = null;

  /** TLS to the brokers, trusting the system's CAs (and KAFKA_SSL_CA_FILE's). */
  @Transform(parseBoolean)
  @IsBoolean({ message: 'KAFKA_SSL must be true or false' })
  KAFKA_SSL: boolean = false;

  /** PEM file of the CA that signed the brokers' certificates, when it is a private one. */
  @EmptyAsNull()
  @IsOptional()
  @IsString()
  @ValidateBy({
    // Without TLS the file would be ignored in silence.
    name: 'caFileWithSsl',
    validator: {
      validate: (_file: unknown, args) =>
        (args?.object as PlatformEnvironment).KAFKA_SSL,
      defaultMessage: () => 'KAFKA_SSL_CA_FILE is set: set KAFKA_SSL=true too',
    },
  })
  KAFKA_SSL_CA_FILE: string | null = null;

  /**
   * Partitions of the request topic: the most consumers of a group that get work, so the most
   * replicas of the app that serves the requests. Topic creation grows a topic to it, never
   * shrinks one (Kafka cannot); every app of a cluster must be given the same value.
   */
  @IsInt({ message: 'KAFKA_REQUEST_PARTITIONS must be an integer' })
  @Min(1, { message: 'KAFKA_REQUEST_PARTITIONS must be at least 1' })
  @Max(1000, { message: 'KAFKA_REQUEST_PARTITIONS must be at most 1000' })
  KAFKA_REQUEST_PARTITIONS: number = 4;

  /** Partitions of the reply topic: where replies are spread, among the brokers' leaders. */
  @IsInt({ message: 'KAFKA_REPLY_PARTITIONS must be an integer' })
  @Min(1, { message: 'KAFKA_REPLY_PARTITIONS must be at least 1' })
  @Max(1000, { message: 'KAFKA_REPLY_PARTITIONS must be at most 1000' })
  KAFKA_REPLY_PARTITIONS: number = 4;

  /**
   * How long `fashion-images` keeps the requests (people's images, reduced to 28x28), as the
   * topic's `retention.ms` (1 day by default): long enough to replay recent traffic, no longer.
   * Set by topic creation.
   */
  @IsInt({ message: 'KAFKA_REQUEST_RETENTION_MS must be an integer' })
  @Min(60_000, { message: 'KAFKA_REQUEST_RETENTION_MS must be at least 60000' })
  KAFKA_REQUEST_RETENTION_MS: number = 24 * 3600 * 1000;

  /**
   * How long a graceful shutdown (SIGTERM, SIGINT) may take before the app exits anyway. With the
   * brokers gone, every Kafka client's disconnect retries its connection, and the apps took 60-80 s
   * to stop; orchestrators kill a process after their own grace period (Kubernetes: 30 s, compose:
   * 10 s), so the app ends first where it can, saying why. A shutdown with the brokers up takes a few
   * seconds (a classifier, 7 s: its consumers finish their fetches and leave their group).
   */
  @IsInt({ message: 'SHUTDOWN_TIMEOUT_MS must be an integer' })
  @Min(1000, { message: 'SHUTDOWN_TIMEOUT_MS must be at least 1000' })
  SHUTDOWN_TIMEOUT_MS: number = 20_000;
}
