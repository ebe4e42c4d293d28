import { Module } from '@nestjs/common';
import { RolloutTopicsService } from './rollout-topics.service.js';

@Module({
  providers: [RolloutTopicsService],
  exports: [RolloutTopicsService],
})
export class RolloutTopicsModule {}
