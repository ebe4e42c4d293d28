import {
  BadRequestException,
  Injectable,
  UnsupportedMediaTypeException,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request } from 'express';
import type { Observable } from 'rxjs';

/** Keys class-transformer drops without a word, where the validation would not see them. */
const DROPPED_KEYS = new Set(['__proto__', 'constructor']);

/**
 * Job parameters come as a JSON object, or not at all (every default). Without this check a body
 * of another type would stay unparsed and be taken for "no parameters", queueing a default job,
 * and an array would be validated as if it were an object.
 */
@Injectable()
export class JsonObjectBody implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    // null: the request has no body at all.
    const json = request.is('application/json');
    if (json === false) {
      throw new UnsupportedMediaTypeException(
        `the job parameters must be sent as JSON (Content-Type: application/json), not as ${request.headers['content-type'] ?? 'a body without a Content-Type'}`,
      );
    }
    if (json !== null) {
      const body: unknown = request.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new BadRequestException([
          'the body must be a JSON object of job parameters',
        ]);
      }
      const dropped = droppedKeyIn(body);
      if (dropped) {
        throw new BadRequestException([`property ${dropped} should not exist`]);
      }
    }
    return next.handle();
  }
}

function droppedKeyIn(value: object, path = ''): string | undefined {
  for (const [key, child] of Object.entries(value)) {
    const name = path + key;
    if (DROPPED_KEYS.has(key)) return name;
    if (typeof child === 'object' && child !== null) {
      const nested = droppedKeyIn(child as object, `${name}.`);
      if (nested) return nested;
    }
  }
  return undefined;
}
