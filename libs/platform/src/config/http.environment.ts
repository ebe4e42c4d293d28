import { IsIP, IsInt, Matches, Min } from 'class-validator';
import { CommaSeparated } from './comma-separated.js';
import { PlatformEnvironment } from './platform.environment.js';

/** Settings of an app that serves HTTP. */
export class HttpEnvironment extends PlatformEnvironment {
  /** Interface to listen on; 0.0.0.0 so containers can publish the port. */
  @IsIP(undefined, { message: 'HTTP_HOST must be an IP address' })
  HTTP_HOST: string = '0.0.0.0';

  /**
   * Web origins whose pages may call this app from the browser (CORS); none by default, as the
   * gateway serves its own page and API from one origin.
   */
  @CommaSeparated()
  @Matches(/^https?:\/\/[^/\s]+$/, {
    each: true,
    message:
      'CORS_ORIGINS must be a comma-separated list of origins such as https://example.com (scheme, host and port, no path)',
  })
  CORS_ORIGINS: string[] = [];

  /** Server-sent event streams open at once (the trainer's job events; the gateway forwards them). */
  @IsInt({ message: 'MAX_EVENT_STREAMS must be an integer' })
  @Min(1, { message: 'MAX_EVENT_STREAMS must be at least 1' })
  MAX_EVENT_STREAMS: number = 200;

  /** Of those, the streams one client (IP address) may hold. */
  @IsInt({ message: 'MAX_EVENT_STREAMS_PER_CLIENT must be an integer' })
  @Min(1, { message: 'MAX_EVENT_STREAMS_PER_CLIENT must be at least 1' })
  MAX_EVENT_STREAMS_PER_CLIENT: number = 10;
}
