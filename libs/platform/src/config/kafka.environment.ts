import { ArrayNotEmpty, IsIn, IsString, Matches } from 'class-validator';
import { CommaSeparated } from './comma-separated.js';

export const LOG_LEVELS = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

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
}
