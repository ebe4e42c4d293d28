import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ModelRegistryService } from '#model-registry';
import type { TrainerEnvironment } from '../config/trainer.environment.js';
import { TrainingJobsService } from './training-jobs.service.js';

/**
 * First start: with no active model in the registry, nothing can classify, so a default job
 * (whole official split, default architecture and parameters) trains one and promotes it.
 */
@Injectable()
export class DefaultModel implements OnApplicationBootstrap {
  private readonly logger = new Logger(DefaultModel.name);

  constructor(
    private readonly config: ConfigService<TrainerEnvironment, true>,
    private readonly registry: ModelRegistryService,
    private readonly jobs: TrainingJobsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.get('TRAIN_DEFAULT_MODEL_ON_START', { infer: true })) {
      return;
    }
    if (this.registry.active) return;
    const job = await this.jobs.submit({ promote: true }, 'default-model');
    this.logger.log(
      { jobId: job.id },
      `no active model in the registry: training a default model (job ${job.id}); ` +
        'set TRAIN_DEFAULT_MODEL_ON_START=false to skip',
    );
  }
}
