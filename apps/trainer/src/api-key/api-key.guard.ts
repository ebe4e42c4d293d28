import {
  ForbiddenException,
  Injectable,
  Logger,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Request, Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import {
  clientAddress,
  crossSiteProblem,
  isLoopbackAddress,
  SAFE_METHODS,
} from '#platform';
import type { TrainerEnvironment } from '../config/trainer.environment.js';
import { API_KEY_HEADER } from './api-key.openapi.js';

const digest = (key: string): Buffer =>
  createHash('sha256').update(key).digest();

/**
 * Every request that may change state is refused when a page of another site sent it (403), so
 * that no web page a user visits can promote a model or queue jobs with the user's access.
 * With TRAINER_API_KEY set, it also needs the key, as
 * `Authorization: Bearer <key>` or, when there is no Authorization header, `X-API-Key: <key>`.
 * It goes by HTTP method rather than by a mark on each route, so that an endpoint added later
 * cannot be left open by forgetting the mark. Keys are compared as SHA-256 digests in constant
 * time: equal lengths whatever was sent, and no early exit that would time out the key.
 * Without a key, changes are accepted from this machine only (loopback; through the gateway, the
 * address the gateway saw), as on a developer's machine.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly logger = new Logger(ApiKeyGuard.name);
  private readonly expected?: Buffer;
  private readonly corsOrigins: readonly string[];

  constructor(config: ConfigService<TrainerEnvironment, true>) {
    const key = config.get('TRAINER_API_KEY', { infer: true });
    this.corsOrigins = config.get('CORS_ORIGINS', { infer: true });
    this.expected = key === null ? undefined : digest(key);
    if (this.expected) {
      this.logger.log('changes (jobs, promotions) require the API key');
    } else {
      this.logger.warn(
        'TRAINER_API_KEY is not set: jobs and promotions are accepted from this machine only',
      );
    }
  }

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    if (SAFE_METHODS.has(request.method)) return true;
    const crossSite = crossSiteProblem(request, this.corsOrigins);
    if (crossSite) throw new ForbiddenException(crossSite);
    if (!this.expected) {
      const client = clientAddress(request);
      if (isLoopbackAddress(client)) return true;
      throw new ForbiddenException(
        `this request changes the trainer's state and comes from another machine (${client}): without TRAINER_API_KEY the trainer takes changes from its own machine only; set TRAINER_API_KEY on the trainer and send the key`,
      );
    }
    const refuse = (message: string): never => {
      http
        .getResponse<Response>()
        .setHeader('WWW-Authenticate', 'Bearer realm="fashion-trainer"');
      throw new UnauthorizedException(message);
    };
    const presented = presentedKey(request);
    if (presented === undefined) {
      refuse(
        `this request changes the trainer's state and needs its API key: send "Authorization: Bearer <key>" or "${API_KEY_HEADER}: <key>"`,
      );
    } else if ('problem' in presented) {
      refuse(presented.problem);
    } else if (!timingSafeEqual(digest(presented.key), this.expected)) {
      refuse('the API key is not valid');
    }
    return true;
  }
}

function presentedKey(
  request: Request,
): { key: string } | { problem: string } | undefined {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const bearer = /^Bearer +(\S+) *$/i.exec(authorization);
    return bearer
      ? { key: bearer[1] }
      : { problem: 'the Authorization header must be "Bearer <key>"' };
  }
  const header = request.headers[API_KEY_HEADER.toLowerCase()];
  if (typeof header === 'string' && header !== '') return { key: header };
  if (Array.isArray(header)) {
    return { problem: `send one ${API_KEY_HEADER} header, not several` };
  }
  return undefined;
}
