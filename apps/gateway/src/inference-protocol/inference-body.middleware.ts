import {
  BadRequestException,
  HttpException,
  Injectable,
  PayloadTooLargeException,
  type NestMiddleware,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import express, {
  type NextFunction,
  type Request,
  type Response,
} from 'express';
import { routePath } from '#platform';
import type { GatewayEnvironment } from '../config/gateway.environment.js';
import { sendInferenceError } from './inference-error.filter.js';
import { isInferRequest } from './inference-routes.js';

/**
 * Reads an inference request's body as bytes, whatever its type: JSON, or the binary tensor data
 * extension's JSON header and tensors. Bound ahead of the app's JSON parser (main.ts), which would
 * take a JSON body with its small limit; a body is bounded by what one request may upload.
 */
@Injectable()
export class InferenceBodyMiddleware implements NestMiddleware {
  private readonly limit: number;
  private readonly read: express.RequestHandler;

  constructor(config: ConfigService<GatewayEnvironment, true>) {
    this.limit = Math.min(
      config.get('MAX_UPLOAD_BYTES', { infer: true }) *
        config.get('MAX_IMAGES_PER_UPLOAD', { infer: true }),
      config.get('MAX_BYTES_IN_FLIGHT', { infer: true }),
    );
    this.read = express.raw({ type: () => true, limit: this.limit });
  }

  use(request: Request, response: Response, next: NextFunction): void {
    if (!isInferRequest(request.method, routePath(request))) return next();
    this.read(request, response, (error?: unknown) => {
      if (error === undefined) return next();
      sendInferenceError(response, this.refusal(error));
    });
  }

  private refusal(error: unknown): HttpException {
    const { type, status, message } = error as {
      type?: string;
      status?: number;
      message?: string;
    };
    if (type === 'entity.too.large') {
      return new PayloadTooLargeException(
        `the inference request is larger than the ${this.limit} bytes accepted in one request`,
      );
    }
    return status !== undefined && status >= 400 && status < 500
      ? new HttpException(message ?? 'the request body cannot be read', status)
      : new BadRequestException('the request body cannot be read');
  }
}
