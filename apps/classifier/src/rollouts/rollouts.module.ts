import { Module } from '@nestjs/common';
import { RolloutTopicsModule } from '#model-registry';
import { ModelsModule } from '../models/models.module.js';
import { RolloutTalliesService } from './rollout-tallies.service.js';
import { RolloutTrafficService } from './rollout-traffic.service.js';

/** Shadow and canary rollouts: which requests the candidate scores, and the tallies reported. */
@Module({
  imports: [ModelsModule, RolloutTopicsModule],
  providers: [RolloutTrafficService, RolloutTalliesService],
  exports: [RolloutTrafficService],
})
export class RolloutsModule {}
