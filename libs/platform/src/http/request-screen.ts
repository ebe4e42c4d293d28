import type {
  IncomingMessage,
  RequestListener,
  Server,
  ServerResponse,
} from 'node:http';
import { Logger } from '@nestjs/common';

/** Answers a request itself (returns true) or leaves it to the application (false). */
export type RequestScreen = (
  request: IncomingMessage,
  response: ServerResponse,
) => boolean;

/**
 * Has `screen` see every request of `server` before the application it serves (the Express app
 * Nest listens with): a request the screen answers never reaches the application. For answers
 * that must cost next to nothing: under overload most requests are refused, and Express's
 * request set-up, routing and Nest's middleware adapter cost a refusal more than Node.js's own
 * handling does (measured on the gateway, 450 refusals/s: 0.61 ms of its event loop each from the
 * first Express middleware, 0.29 ms from a listener in front).
 */
export function screenRequests(server: Server, screen: RequestScreen): void {
  const application = server.listeners('request') as RequestListener[];
  const logger = new Logger('RequestScreen');
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    try {
      if (screen(request, response)) return;
    } catch (error) {
      // Out of Express's reach, a fault here would end the process: answered as Express would.
      logger.error(error);
      if (!response.headersSent) {
        response.statusCode = 500;
        response.setHeader('Content-Type', 'application/json; charset=utf-8');
      }
      response.end(INTERNAL_ERROR);
      return;
    }
    for (const listener of application)
      listener.call(server, request, response);
  });
}

const INTERNAL_ERROR = JSON.stringify({
  statusCode: 500,
  message: 'Internal server error',
});

/**
 * A request's path as Express routes it by default, for comparing with a route's own: without
 * its query, lowercased (routing ignores case) and without a trailing slash (routing ignores one).
 * Compared with the raw path, `POST /V1/Classifications/` would reach the route unseen.
 */
export function routePath({ url = '/' }: IncomingMessage): string {
  const query = url.indexOf('?');
  const path = (query === -1 ? url : url.slice(0, query)).toLowerCase();
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}
