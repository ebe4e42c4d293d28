import {
  HttpException,
  Injectable,
  RequestTimeoutException,
  type NestMiddleware,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { NextFunction, Request, Response } from 'express';
import {
  expectsContinue,
  hasCostlyUnreadBody,
  lingerOverUnreadBody,
} from '#platform';
import type { GatewayEnvironment } from '../config/gateway.environment.js';
import { AdmissionControlService } from './admission-control.service.js';
import { sendInferenceError } from '../inference-protocol/inference-error.filter.js';
import { isInferRequest } from '../inference-protocol/inference-routes.js';
import { RetryLaterException } from './retry-later.exception.js';

/** The routes that decode images, and so share the gateway's capacity. */
const IMAGE_ROUTES = new Set(['/v1/classifications', '/v1/previews']);

const isImageRequest = ({ method, path }: Request) =>
  (method === 'POST' && IMAGE_ROUTES.has(path)) || isInferRequest(method, path);

/**
 * Admits an image request before anything else runs for it: bound ahead of every other
 * middleware (main.ts), a refusal costs no body parsing, security headers, request log or Nest
 * routing. Under overload most requests are refused, and what a refusal costs is taken from the
 * requests being served. A client that sent `Expect: 100-continue` is told to send its body only
 * once its request is admitted (or needs no admission): a refused upload is never sent at all.
 * An admitted request's body must arrive by its deadline, or the request is answered 408 and
 * its place given back: otherwise a few clients trickling their uploads byte by byte would hold
 * every place for as long as Node.js waits for a request (five minutes).
 */
@Injectable()
export class AdmissionMiddleware implements NestMiddleware {
  private readonly timeoutMs: number;
  private readonly bodyTimedOut: RequestTimeoutException;

  constructor(
    private readonly admission: AdmissionControlService,
    config: ConfigService<GatewayEnvironment, true>,
  ) {
    this.timeoutMs = config.get('CLASSIFY_TIMEOUT_MS', { infer: true });
    this.bodyTimedOut = new RequestTimeoutException(
      `the request body did not arrive within ${this.timeoutMs} ms of its headers (CLASSIFY_TIMEOUT_MS)`,
    );
  }

  use(request: Request, response: Response, next: NextFunction): void {
    if (!isImageRequest(request)) return this.proceed(request, response, next);
    try {
      this.admission.admit(request, response);
    } catch (error) {
      if (!(error instanceof HttpException)) throw error;
      if (expectsContinue(request)) {
        // A body the client holds back may follow or not: the connection cannot tell.
        response.setHeader('Connection', 'close');
      } else if (hasCostlyUnreadBody(request)) {
        // Closed at once, a photo-sized upload still being sent would be reset before its client
        // read the 503 (fetch: EPIPE for every refused upload over 512 KiB).
        lingerOverUnreadBody(request, response);
      }
      this.answer(request, response, error);
      return;
    }
    this.awaitBody(request, response);
    this.proceed(request, response, next);
  }

  private awaitBody(request: Request, response: Response): void {
    if (request.complete) return;
    const timer = setTimeout(() => {
      if (request.complete || response.headersSent) return;
      // The rest of the body is not worth reading: nobody waits for this answer any more.
      response.setHeader('Connection', 'close');
      this.answer(request, response, this.bodyTimedOut);
    }, this.timeoutMs);
    response.once('close', () => clearTimeout(timer));
  }

  private answer(request: Request, response: Response, error: HttpException) {
    if (isInferRequest(request.method, request.path)) {
      sendInferenceError(response, error);
      return;
    }
    if (error instanceof RetryLaterException) {
      response.setHeader('Retry-After', String(error.retryAfterSeconds));
    }
    // Not through Express's json(), whose ETag would hash every refusal for nothing.
    response
      .status(error.getStatus())
      .setHeader('Content-Type', 'application/json; charset=utf-8')
      .end(JSON.stringify(error.getResponse()));
  }

  private proceed(request: Request, response: Response, next: NextFunction) {
    if (expectsContinue(request)) response.writeContinue();
    next();
  }
}
