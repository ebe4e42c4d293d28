import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

/** A caller's id is kept when it is a sane token, so its own logs line up with ours. */
const ACCEPTED_ID = /^[\w.:-]{1,128}$/;

/** Whether a caller's id can be the request's id in the logs (and in Kafka requests). */
export function isAcceptedRequestId(offered: unknown): offered is string {
  return typeof offered === 'string' && ACCEPTED_ID.test(offered);
}

/**
 * The id that follows a request through the logs of every app it reaches: the caller's
 * `x-request-id`, or a new one; echoed in the response.
 */
export function requestIdOf(
  request: IncomingMessage,
  response: ServerResponse,
): string {
  const offered = request.headers[REQUEST_ID_HEADER];
  const id = isAcceptedRequestId(offered) ? offered : randomUUID();
  response.setHeader(REQUEST_ID_HEADER, id);
  return id;
}
