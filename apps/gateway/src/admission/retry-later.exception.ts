import { ServiceUnavailableException } from '@nestjs/common';

/**
 * 503 with a Retry-After header (RetryAfterFilter): nothing was or will be done for this
 * request, and the same request may be sent again after that many seconds.
 */
export class RetryLaterException extends ServiceUnavailableException {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** Overload is short-lived by nature: a client should come back soon, not hammer at once. */
const OVERLOAD_RETRY_AFTER_SECONDS = 1;

/** The gateway is at one of its capacity limits, `limit` naming it and its value. */
export class OverloadedException extends RetryLaterException {
  constructor(what: string, limit: string) {
    super(
      `the gateway is at capacity: ${what} (${limit}); retry in ${OVERLOAD_RETRY_AFTER_SECONDS} s`,
      OVERLOAD_RETRY_AFTER_SECONDS,
    );
  }
}
