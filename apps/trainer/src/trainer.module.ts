import { Module } from '@nestjs/common';
import { PlatformModule } from '#platform';
import { ApiKeyModule } from './api-key/api-key.module.js';
import { ArchitecturesModule } from './architectures/architectures.module.js';
import { TrainerEnvironment } from './config/trainer.environment.js';
import { ModelsModule } from './models/models.module.js';
import { ReplaysModule } from './replays/replays.module.js';
import { TrainingJobsModule } from './training-jobs/training-jobs.module.js';

@Module({
  imports: [
    PlatformModule.forApp({ app: 'trainer', environment: TrainerEnvironment }),
    ApiKeyModule,
    ArchitecturesModule,
    ModelsModule,
    TrainingJobsModule,
    ReplaysModule,
  ],
})
export class TrainerModule {}
