import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  HttpException,
  Injectable,
  RequestTimeoutException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  expectsContinue,
  hasCostlyUnreadBody,
  lingerOverUnreadBody,
  routePath,
} from '#platform';
import type { GatewayEnvironment } from '../config/gateway.environment.js';
import { AdmissionControlService } from './admission-control.service.js';
import { sendInferenceError } from '../inference-protocol/inference-error.filter.js';
import { isInferRequest } from '../inference-protocol/inference-routes.js';
import { RetryLaterException } from './retry-later.exception.js';

/** The routes that decode images, and so share the gateway's capacity. */
const IMAGE_ROUTES = new Set(['/v1/classifications', '/v1/previews']);

/**
 * Admits an image request before the application sees it (main.ts puts it in front of the
 * Express app): a refusal costs no Express routing, body parsing, security headers, request log
 * or Nest middleware. Under overload most requests are refused, and what a refusal costs is
 * taken from the requests being served. A client that sent `Expect: 100-continue` is told to
 * send its body only once its request is admitted (or needs no admission): a refused upload is
 * never sent at all. An admitted request's body must arrive by its deadline, or the request is
 * answered 408 and its place given back: otherwise a few clients trickling their uploads byte by
 * byte would hold every place for as long as Node.js waits for a request (five minutes).
 */
@Injectable()
export class AdmissionScreen {
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

  /** Whether the request was answered here (refused); if not, the application serves it. */
  screen(request: IncomingMessage, response: ServerResponse): boolean {
    const path = routePath(request);
    // Inference requests are answered in the protocol's own error form.
    const inference = isInferRequest(request.method, path);
    const image =
      inference || (request.method === 'POST' && IMAGE_ROUTES.has(path));
    if (!image) return this.proceed(request, response);
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
      this.answer(inference, response, error);
      return true;
    }
    this.awaitBody(inference, request, response);
    return this.proceed(request, response);
  }

  private awaitBody(
    inference: boolean,
    request: IncomingMessage,
    response: ServerResponse,
  ): void {
    if (request.complete) return;
    const timer = setTimeout(() => {
      if (request.complete || response.headersSent) return;
      // The rest of the body is not worth reading: nobody waits for this answer any more.
      response.setHeader('Connection', 'close');
      this.answer(inference, response, this.bodyTimedOut);
    }, this.timeoutMs);
    response.once('close', () => clearTimeout(timer));
  }

  private answer(
    inference: boolean,
    response: ServerResponse,
    error: HttpException,
  ) {
    if (inference) {
      sendInferenceError(response, error);
      return;
    }
    if (error instanceof RetryLaterException) {
      response.setHeader('Retry-After', String(error.retryAfterSeconds));
    }
    response.statusCode = error.getStatus();
    response
      .setHeader('Content-Type', 'application/json; charset=utf-8')
      .end(JSON.stringify(error.getResponse()));
  }

  private proceed(request: IncomingMessage, response: ServerResponse): false {
    if (expectsContinue(request)) response.writeContinue();
    return false;
  }
}
