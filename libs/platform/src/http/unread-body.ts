import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction } from 'express';

/**
 * The rest of a body up to this size that an answer did not need is read and dropped, as Node.js
 * does by default, rather than its connection closed or lingered over: below about 750 KB
 * (measured on a bare server), reading and dropping costs less CPU than the new connection would,
 * and since Node.js 20 libuv accepts one connection per turn of the event loop, so clients that
 * must reconnect under load wait in the listen backlog.
 */
const DISCARDED_BODY_BYTES = 512 * 1024;

/**
 * How long the rest of a larger body an answer did not need is read and dropped after that
 * answer, so that the client reads the answer and may send its next request on the same
 * connection: past it, the connection is closed. Node.js alone would read it for as long as it
 * waits for a request (five minutes), and closing at once would cost many clients the answer
 * itself, since a client still sending when the connection is reset may never read what came back
 * (nginx's `lingering_timeout` is the same idea, and the same five seconds).
 */
const UNREAD_BODY_LINGER_MS = 5000;

/** Node.js's own test for a client that sends its body only once told to. */
export const expectsContinue = ({ headers }: IncomingMessage): boolean =>
  /(?:^|\W)100-continue(?:$|\W)/i.test(headers.expect ?? '');

/**
 * Whether the rest of `request`'s body would cost more to read than its connection is worth: one
 * over DISCARDED_BODY_BYTES or of unknown length, or one the client holds back until told to send
 * it (`Expect: 100-continue`), which may follow or not.
 */
export function hasCostlyUnreadBody(request: IncomingMessage): boolean {
  const { headers } = request;
  // Without either header a request has no body (RFC 9112), though Node.js may not have marked
  // it complete yet while its handler answers at once.
  const hasBody =
    headers['content-length'] !== undefined ||
    headers['transfer-encoding'] !== undefined;
  if (request.complete || !hasBody) return false;
  const length = Number(headers['content-length']);
  return (
    expectsContinue(request) ||
    !(Number.isSafeInteger(length) && length <= DISCARDED_BODY_BYTES)
  );
}

/**
 * Bounds what an answer given before its request's body was read (a 429, 401, 404, 405, a 503
 * under overload) costs: the rest of a costly body (hasCostlyUnreadBody) is read and dropped for
 * UNREAD_BODY_LINGER_MS at most, then the connection is closed. Call before the answer is sent.
 */
export function lingerOverUnreadBody(
  request: IncomingMessage,
  response: ServerResponse,
): void {
  response.once('finish', () => {
    if (!hasCostlyUnreadBody(request)) return;
    const { socket } = request;
    const timer = setTimeout(() => socket.destroy(), UNREAD_BODY_LINGER_MS);
    // A kept-alive socket serves many requests: nothing may stay attached to it after this one.
    const stop = () => {
      clearTimeout(timer);
      request.off('end', stop);
      socket.off('close', stop);
    };
    request.once('end', stop);
    socket.once('close', stop);
  });
}

/** lingerOverUnreadBody for every request, as middleware. */
export function lingerOverUnreadBodies(
  request: IncomingMessage,
  response: ServerResponse,
  next: NextFunction,
): void {
  lingerOverUnreadBody(request, response);
  next();
}
