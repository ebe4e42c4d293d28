import { HttpException, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
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
 * requests being served.
 */
@Injectable()
export class AdmissionMiddleware implements NestMiddleware {
  constructor(private readonly admission: AdmissionControlService) {}

  use(request: Request, response: Response, next: NextFunction): void {
    if (!isImageRequest(request)) return next();
    try {
      this.admission.admit(request, response);
    } catch (error) {
      if (!(error instanceof HttpException)) throw error;
      // The body is not read: the connection closes rather than carry it.
      response.setHeader('Connection', 'close');
      if (isInferRequest(request.method, request.path)) {
        sendInferenceError(response, error);
        return;
      }
      if (error instanceof RetryLaterException) {
        response.setHeader('Retry-After', String(error.retryAfterSeconds));
      }
      response.status(error.getStatus()).json(error.getResponse());
      return;
    }
    next();
  }
}
