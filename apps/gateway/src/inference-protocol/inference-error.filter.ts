import type { ServerResponse } from 'node:http';
import {
  Catch,
  HttpException,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Response } from 'express';
import { RetryLaterException } from '../admission/retry-later.exception.js';

/**
 * Errors as the Open Inference Protocol has them, `{"error": "<message>"}` (what tritonclient and
 * the kserve SDK show), beside the gateway's usual `statusCode` and `message`.
 */
@Catch(HttpException)
export class InferenceErrorFilter implements ExceptionFilter {
  catch(exception: HttpException, host: ArgumentsHost): void {
    sendInferenceError(host.switchToHttp().getResponse<Response>(), exception);
  }
}

export function sendInferenceError(
  response: ServerResponse,
  exception: HttpException,
): void {
  // Answered already (a body that did not arrive in time): what failed after is the cut read.
  if (response.headersSent) {
    response.end();
    return;
  }
  if (exception instanceof RetryLaterException) {
    response.setHeader('Retry-After', String(exception.retryAfterSeconds));
  }
  const statusCode = exception.getStatus();
  const message = messageOf(exception);
  response.statusCode = statusCode;
  // Exactly application/json: the kserve SDK reads `error` only from a response typed so.
  response
    .setHeader('Content-Type', 'application/json')
    .end(JSON.stringify({ error: message, statusCode, message }));
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  const message =
    typeof response === 'string'
      ? response
      : (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' && message !== ''
    ? message
    : exception.message;
}
