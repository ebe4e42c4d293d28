import { Module } from '@nestjs/common';
import { ModelRegistryModule, RolloutTopicsModule } from '#model-registry';
import { RolloutMetrics } from './rollout.metrics.js';
import { RolloutsController } from './rollouts.controller.js';
import { RolloutsService } from './rollouts.service.js';

/** Shadow and canary rollouts: started and ended here, measured by the classifiers. */
@Module({
  imports: [ModelRegistryModule, RolloutTopicsModule],
  controllers: [RolloutsController],
  providers: [RolloutsService, RolloutMetrics],
})
export class RolloutsModule {}
