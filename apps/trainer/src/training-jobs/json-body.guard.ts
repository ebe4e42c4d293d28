import {
  Injectable,
  UnsupportedMediaTypeException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { Request } from 'express';

/**
 * Refuses a body that is not JSON. No parser reads one, so the request would go on as if it had
 * none and every parameter would silently take its default (a `fetch` with a string body sends
 * text/plain). A request without a body stays welcome: it asks for the defaults.
 */
@Injectable()
export class JsonBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const hasContent =
      Number(request.get('content-length') ?? 0) > 0 ||
      request.get('transfer-encoding') !== undefined;
    if (hasContent && !request.is('application/json')) {
      throw new UnsupportedMediaTypeException(
        `Content-Type ${request.get('content-type') ?? '(none)'} is not accepted: send the parameters as JSON, with Content-Type application/json`,
      );
    }
    return true;
  }
}
