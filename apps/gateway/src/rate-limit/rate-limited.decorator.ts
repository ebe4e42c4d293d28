import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ErrorResponseDto } from '../classification/dto/error-response.dto.js';

/** Puts an endpoint under the per-client limit of RateLimitModule, and documents its 429. */
export function RateLimited(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    UseGuards(ThrottlerGuard),
    ApiTooManyRequestsResponse({
      type: ErrorResponseDto,
      description:
        'Over the per-client limit (CLASSIFY_RATE_LIMIT per CLASSIFY_RATE_WINDOW_MS); Retry-After gives the seconds to wait',
    }),
  );
}
