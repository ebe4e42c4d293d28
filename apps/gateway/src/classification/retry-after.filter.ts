import { Catch, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';
import { KafkaUnavailableException } from './classification.errors.js';

/** Answers a KafkaUnavailableException as Nest would, with the Retry-After header it carries. */
@Catch(KafkaUnavailableException)
export class RetryAfterFilter extends BaseExceptionFilter {
  override catch(exception: KafkaUnavailableException, host: ArgumentsHost) {
    host
      .switchToHttp()
      .getResponse<Response>()
      .setHeader('Retry-After', String(exception.retryAfterSeconds));
    super.catch(exception, host);
  }
}
