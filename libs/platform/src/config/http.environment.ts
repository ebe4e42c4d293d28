import { IsIP, Matches } from 'class-validator';
import { CommaSeparated } from './comma-separated.js';
import { PlatformEnvironment } from './kafka.environment.js';

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
}
