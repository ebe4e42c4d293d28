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

  /**
   * How long an idle kept-alive connection stays open. Node.js's 5 s suits clients that connect
   * themselves; a proxy or load balancer in front reuses its idle connections for longer (60 s is
   * common) and must not be the one to find them closed: a request sent as the server closes its
   * connection fails, and proxies do not send a POST again.
   */
  @IsInt({ message: 'HTTP_KEEP_ALIVE_TIMEOUT_MS must be an integer' })
  @Min(1000, { message: 'HTTP_KEEP_ALIVE_TIMEOUT_MS must be at least 1000' })
  HTTP_KEEP_ALIVE_TIMEOUT_MS: number = 5000;
}
