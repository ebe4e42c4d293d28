import {
  type ArgumentsHost,
  BadRequestException,
  Catch,
  HttpException,
  PayloadTooLargeException,
} from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import { STATUS_CODES } from 'node:http';
import type { Observable } from 'rxjs';

/** What body-parser attaches to its errors (the cause of the HttpException Nest makes of them). */
interface BodyParserError {
  type: string;
  message: string;
  limit?: number;
}

/**
 * Nest's own answer to an HttpException (its status and message) with the body parsers' terse
 * messages made to name the problem, and every body shaped alike: `statusCode`, `message`,
 * `error`. Anything else keeps Nest's answer: a generic 500, logged with its stack.
 */
@Catch(HttpException)
export class HttpErrorFilter extends BaseExceptionFilter {
  private readonly rpc = new BaseRpcExceptionFilter();

  override catch(
    exception: HttpException,
    host: ArgumentsHost,
  ): Observable<unknown> | void {
    // A hybrid app (the classifier) shares its global filters with its Kafka handlers, whose
    // errors must stay Nest's RPC answers.
    if (host.getType() !== 'http') return this.rpc.catch(exception, host);
    super.catch(clarify(exception), host);
  }
}

function clarify(exception: HttpException): HttpException {
  const cause = exception.cause as Partial<BodyParserError> | undefined;
  switch (cause?.type) {
    case 'entity.parse.failed':
      return new BadRequestException(`malformed JSON body: ${cause.message}`, {
        cause,
      });
    case 'entity.too.large':
      return new PayloadTooLargeException(
        `the request body is too large: at most ${cause.limit} bytes`,
        { cause },
      );
  }
  const response = exception.getResponse();
  if (typeof response !== 'string') return exception;
  // Exceptions made from a bare message (the throttler's 429, http-errors) lack `error`.
  const statusCode = exception.getStatus();
  return new HttpException(
    { statusCode, message: response, error: STATUS_CODES[statusCode] },
    statusCode,
    { cause: exception },
  );
}
