import {
  BadGatewayException,
  GatewayTimeoutException,
  Logger,
  ServiceUnavailableException,
  type HttpException,
  type RawBodyRequest,
} from '@nestjs/common';
import type { Request, RequestHandler } from 'express';
import type { ClientRequest, ServerResponse } from 'node:http';
import { createProxyMiddleware } from 'http-proxy-middleware';

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
        forwardReadBody(proxyRequest, request);
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
        const failure = describe(error);
        // Where the trainer lives and how it failed is for operators, not for clients.
        logger.warn(
          `${request.method} ${request.originalUrl}: the trainer at ${trainerUrl} (TRAINER_URL): ${error.message}`,
        );
        response.writeHead(failure.getStatus(), {
          'content-type': 'application/json; charset=utf-8',
        });
        response.end(JSON.stringify(failure.getResponse()));
      },
    },
  });
}

/**
 * A body the gateway's parsers (JSON, form, raw images) have already read off the request is sent
 * on as the bytes that were read (the app keeps them: `rawBody`). http-proxy-middleware's own
 * `fixRequestBody` re-serialises only the media types it recognises, case-sensitively, so a body
 * sent as `Application/JSON` was dropped and the trainer waited for it until the proxy timed out.
 */
function forwardReadBody(
  proxyRequest: ClientRequest,
  request: RawBodyRequest<Request>,
): void {
  const { rawBody } = request;
  if (!request.readableEnded || !rawBody) return;
  // The parser decoded any Content-Encoding and read any chunking: these bytes are all there is.
  proxyRequest.removeHeader('content-encoding');
  proxyRequest.removeHeader('transfer-encoding');
  proxyRequest.setHeader('content-length', rawBody.length);
  proxyRequest.write(rawBody);
}

function describe(error: Error): HttpException {
  if (error instanceof TrainerTimeoutError) {
    return new GatewayTimeoutException(
      `the trainer did not answer within ${ANSWER_TIMEOUT_MS / 1000} s`,
    );
  }
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (UNREACHABLE.has(code)) {
    return new ServiceUnavailableException(
      'the trainer is not reachable right now: is it running? Retry later',
    );
  }
  return new BadGatewayException('the trainer failed to answer');
}
