import { ForbiddenException } from '@nestjs/common';
import type { RequestHandler } from 'express';
import { crossSiteProblem, SAFE_METHODS } from '#platform';

/**
 * The trainer's changes (start, cancel, promote) forwarded only when no page of another site sent
 * them: refused here, where the browser's origin is the gateway's, before the trainer sees them.
 */
export function sameSiteChanges(
  allowedOrigins: readonly string[],
): RequestHandler {
  return (request, _response, next) => {
    if (!SAFE_METHODS.has(request.method)) {
      const problem = crossSiteProblem(request, allowedOrigins);
      if (problem) throw new ForbiddenException(problem);
    }
    next();
  };
}
