import {
  Module,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { limitEventStreams } from '#platform';
import type { GatewayEnvironment } from '../config/gateway.environment.js';
import { sameSiteChanges } from './same-site-changes.middleware.js';
import { trainerProxy } from './trainer-proxy.middleware.js';

/**
 * The trainer's API under the gateway's origin, for the web page: training jobs (their event
 * streams included), the architectures a job can name, single model versions (details, promote, export)
 * and replays. `GET /v1/models` stays
 * the gateway's own: the versions the classifiers can serve. Changes sent by a page of another site
 * are refused first; the trainer applies its own rules (key, or this machine only) to the rest.
 */
@Module({})
export class TrainerProxyModule implements NestModule {
  constructor(
    private readonly config: ConfigService<GatewayEnvironment, true>,
  ) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(limitEventStreams(this.config))
      .forRoutes('v1/training-jobs/:id/events', 'v1/replays/:id/events');
    consumer
      .apply(
        sameSiteChanges(this.config.get('CORS_ORIGINS', { infer: true })),
        trainerProxy(this.config.get('TRAINER_URL', { infer: true })),
      )
      .forRoutes(
        'v1/training-jobs',
        'v1/architectures',
        'v1/models/:name/versions',
        'v1/replays',
      );
  }
}
