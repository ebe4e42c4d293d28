import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ThrottlerModule } from '@nestjs/throttler';
import type { GatewayEnvironment } from '../config/gateway.environment.js';

/**
 * The per-client limit of the costly endpoints (those marked `@RateLimited()`): at most
 * CLASSIFY_RATE_LIMIT requests in any CLASSIFY_RATE_WINDOW_MS, counted per IP address in this
 * gateway's memory. A request over it is refused before its upload is read.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<GatewayEnvironment, true>) => {
        const limit = config.get('CLASSIFY_RATE_LIMIT', { infer: true });
        return {
          // No blocking period: a sliding window, so a client at the limit keeps being served
          // at the limit's pace, and Retry-After says when its oldest request leaves the window.
          throttlers: [
            {
              limit,
              ttl: config.get('CLASSIFY_RATE_WINDOW_MS', { infer: true }),
              blockDuration: 0,
            },
          ],
          skipIf: () => limit === 0,
          errorMessage: (_context, detail) =>
            `too many requests: this endpoint takes at most ${detail.limit} requests per client every ${detail.ttl / 1000} s; retry in ${detail.timeToBlockExpire} s`,
        };
      },
    }),
  ],
})
export class RateLimitModule {}
