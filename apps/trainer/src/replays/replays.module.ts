import {
  Module,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ModelRegistryModule } from '#model-registry';
import { limitEventStreams } from '#platform';
import type { TrainerEnvironment } from '../config/trainer.environment.js';
import { ReplaysController } from './replays.controller.js';
import { ReplaysService } from './replays.service.js';

/** Recorded traffic replayed through any model version, compared with what was answered. */
@Module({
  imports: [ModelRegistryModule],
  controllers: [ReplaysController],
  providers: [ReplaysService],
})
export class ReplaysModule implements NestModule {
  constructor(
    private readonly config: ConfigService<TrainerEnvironment, true>,
  ) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(limitEventStreams(this.config))
      .forRoutes('v1/replays/:id/events');
  }
}
