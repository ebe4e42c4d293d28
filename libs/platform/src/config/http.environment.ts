import { IsIP } from 'class-validator';
import { PlatformEnvironment } from './kafka.environment.js';

/** Settings of an app that serves HTTP. */
export class HttpEnvironment extends PlatformEnvironment {
  /** Interface to listen on; 0.0.0.0 so containers can publish the port. */
  @IsIP(undefined, { message: 'HTTP_HOST must be an IP address' })
  HTTP_HOST: string = '0.0.0.0';
}
