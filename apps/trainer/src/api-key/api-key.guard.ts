import {
  Injectable,
  Logger,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Request, Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { TrainerEnvironment } from '../config/trainer.environment.js';
import { API_KEY_HEADER } from './api-key.openapi.js';

/** Reading never changes anything: only these stay open when a key is configured. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const digest = (key: string): Buffer =>
  createHash('sha256').update(key).digest();

/**
 * With TRAINER_API_KEY set, every request that may change state needs the key, as
 * `Authorization: Bearer <key>` or, when there is no Authorization header, `X-API-Key: <key>`.
 * It goes by HTTP method rather than by a mark on each route, so that an endpoint added later
 * cannot be left open by forgetting the mark. Keys are compared as SHA-256 digests in constant
 * time: equal lengths whatever was sent, and no early exit that would time out the key.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly logger = new Logger(ApiKeyGuard.name);
  private readonly expected?: Buffer;

  constructor(config: ConfigService<TrainerEnvironment, true>) {
    const key = config.get('TRAINER_API_KEY', { infer: true });
    this.expected = key === null ? undefined : digest(key);
    if (this.expected) {
      this.logger.log('changes (jobs, promotions) require the API key');
    } else {
      this.logger.warn(
        'TRAINER_API_KEY is not set: whoever reaches this port can start jobs and promote models',
      );
    }
  }

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    if (!this.expected || SAFE_METHODS.has(request.method)) return true;
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
