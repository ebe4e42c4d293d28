import { Injectable, type NestMiddleware } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { NextFunction, Request, Response } from 'express';
import type { Counter, Histogram } from 'prom-client';

export const HTTP_REQUESTS = 'http_requests_total';
export const HTTP_DURATION = 'http_request_duration_seconds';

/**
 * Counts and times every HTTP request when its response is finished, so requests that fail in
 * body parsing or uploads (before any Nest interceptor runs) are counted too.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(
    @InjectMetric(HTTP_REQUESTS) private readonly requests: Counter<string>,
    @InjectMetric(HTTP_DURATION) private readonly duration: Histogram<string>,
  ) {}

  use(request: Request, response: Response, next: NextFunction): void {
    const stop = this.duration.startTimer();
    response.once('finish', () => {
      // The route pattern, not the URL: ids in paths would make a label per request.
      const route = (request.route as { path?: string } | undefined)?.path;
      const labels = {
        method: request.method,
        route: route ? `${request.baseUrl}${route}` : 'unmatched',
        status: String(response.statusCode),
      };
      this.requests.inc(labels);
      stop(labels);
    });
    next();
  }
}
