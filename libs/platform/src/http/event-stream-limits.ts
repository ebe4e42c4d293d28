import {
  HttpException,
  HttpStatus,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { ConfigService } from '@nestjs/config';
import type { RequestHandler } from 'express';
import type { HttpEnvironment } from '../config/http.environment.js';
import { clientAddress } from './request-origin.js';

/**
 * Bounds the server-sent event streams open at once, per client (by address: through a proxy on
 * this machine, the address it saw) and in all: each holds a connection and a subscription for as
 * long as the client likes. Beyond, 429 for the client over its share, 503 when all are taken.
 * A stream is counted from its request until its connection closes.
 */
export function limitEventStreams(
  config: ConfigService<HttpEnvironment, true>,
): RequestHandler {
  const maxTotal = config.get('MAX_EVENT_STREAMS', { infer: true });
  const maxPerClient = config.get('MAX_EVENT_STREAMS_PER_CLIENT', {
    infer: true,
  });
  const open = new Map<string, number>();
  let total = 0;
  return (request, response, next) => {
    const client = clientAddress(request);
    const ofClient = open.get(client) ?? 0;
    if (ofClient >= maxPerClient) {
      throw new HttpException(
        `too many event streams open from ${client}: at most ${maxPerClient} at once (MAX_EVENT_STREAMS_PER_CLIENT); close one first`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    if (total >= maxTotal) {
      throw new ServiceUnavailableException(
        `the server has as many event streams open as it serves (${maxTotal}, MAX_EVENT_STREAMS); retry later`,
      );
    }
    open.set(client, ofClient + 1);
    total++;
    response.once('close', () => {
      total--;
      const left = (open.get(client) ?? 1) - 1;
      if (left === 0) open.delete(client);
      else open.set(client, left);
    });
    next();
  };
}
