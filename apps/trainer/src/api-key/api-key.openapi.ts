import { applyDecorators } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiSecurity,
  ApiUnauthorizedResponse,
  type DocumentBuilder,
} from '@nestjs/swagger';

export const API_KEY_HEADER = 'X-API-Key';

type SecurityScheme = Parameters<DocumentBuilder['addSecurity']>[1];

const BEARER = 'bearer';
const HEADER = 'api-key';
const WHEN = 'Needed only when the trainer runs with TRAINER_API_KEY set.';

/** The two ways to present the key, for the OpenAPI document's components. */
export const API_KEY_SECURITY_SCHEMES: Record<string, SecurityScheme> = {
  [BEARER]: {
    type: 'http',
    scheme: 'bearer',
    description: `The trainer's API key as a bearer token. ${WHEN}`,
  },
  [HEADER]: {
    type: 'apiKey',
    in: 'header',
    name: API_KEY_HEADER,
    description: `The trainer's API key. ${WHEN}`,
  },
};

/**
 * Documents an operation as needing the API key (either scheme), so /docs shows its lock and
 * sends the key entered under "Authorize". The ApiKeyGuard enforces it, by HTTP method. Without
 * TRAINER_API_KEY the app declares no scheme, and the description drops the requirement and its
 * 401 (completeDocument); the 403 stays, for a page of another site or another machine.
 */
export const ApiKeyRequired = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    ApiBearerAuth(BEARER),
    ApiSecurity(HEADER),
    ApiUnauthorizedResponse({
      description: `No API key, or a wrong one. ${WHEN}`,
    }),
    ApiForbiddenResponse({
      description:
        'Sent by a page of another site; or, without TRAINER_API_KEY, from another machine',
    }),
  );
