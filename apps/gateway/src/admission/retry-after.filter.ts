import { Catch, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';
import { RetryLaterException } from './retry-later.exception.js';

/** Answers a RetryLaterException as Nest would, with the Retry-After header it carries. */
@Catch(RetryLaterException)
export class RetryAfterFilter extends BaseExceptionFilter {
  override catch(exception: RetryLaterException, host: ArgumentsHost) {
    host
      .switchToHttp()
      .getResponse<Response>()
      .setHeader('Retry-After', String(exception.retryAfterSeconds));
    super.catch(exception, host);
  }
}
