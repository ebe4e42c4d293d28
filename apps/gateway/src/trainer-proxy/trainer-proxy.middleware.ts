import {
  BadGatewayException,
  GatewayTimeoutException,
  Logger,
  ServiceUnavailableException,
  type HttpException,
} from '@nestjs/common';
import type { Request, RequestHandler } from 'express';
import type { ServerResponse } from 'node:http';
import { createProxyMiddleware, fixRequestBody } from 'http-proxy-middleware';

/** A trainer that accepted the connection but does not answer (the event stream excepted). */
const ANSWER_TIMEOUT_MS = 60_000;

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

class TrainerTimeoutError extends Error {}

const logger = new Logger('TrainerProxy');

/**
 * Forwards a request to the trainer as it came (path, query, body) and streams the answer back
 * unbuffered, so the job event stream arrives event by event. When the trainer cannot be reached
 * the client gets a JSON error at once, shaped like every other error of the gateway.
 */
export function trainerProxy(trainerUrl: string): RequestHandler {
  return createProxyMiddleware<Request, ServerResponse>({
    target: trainerUrl,
    changeOrigin: true,
    xfwd: true,
    // Nest mounts middleware on its route, which Express strips from req.url.
    pathRewrite: (_path, request) => request.originalUrl,
    on: {
      proxyReq: (proxyRequest, request) => {
        // Nest's JSON parser has already read the body off the request.
        fixRequestBody(proxyRequest, request);
        if (!request.path.endsWith('/events')) {
          proxyRequest.setTimeout(ANSWER_TIMEOUT_MS, () =>
            proxyRequest.destroy(new TrainerTimeoutError()),
          );
        }
      },
      error: (error, request, response) => {
        if (!('writeHead' in response)) {
          response.destroy();
          return;
        }
        if (response.headersSent) {
          // The trainer went away mid-answer (mid-stream): end what was sent.
          response.end();
          return;
        }
        const failure = describe(error, trainerUrl);
        logger.warn(
          `${request.method} ${request.originalUrl}: ${failure.message}`,
        );
        response.writeHead(failure.getStatus(), {
          'content-type': 'application/json; charset=utf-8',
        });
        response.end(JSON.stringify(failure.getResponse()));
      },
    },
  });
}

function describe(error: Error, trainerUrl: string): HttpException {
  if (error instanceof TrainerTimeoutError) {
    return new GatewayTimeoutException(
      `the trainer at ${trainerUrl} did not answer within ${ANSWER_TIMEOUT_MS / 1000} s`,
    );
  }
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (UNREACHABLE.has(code)) {
    return new ServiceUnavailableException(
      `the trainer is not reachable at ${trainerUrl} (${code}): is it running? Set TRAINER_URL to where it listens`,
    );
  }
  return new BadGatewayException(
    `the trainer at ${trainerUrl} failed to answer: ${error.message}`,
  );
}
