import {
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Rollout } from '#fmnist';
import { RolloutTopicsService } from '#model-registry';
import type { ClassifierEnvironment } from '../config/classifier.environment.js';
import { CLASSIFIER_ID } from '../models/classifier-id.js';
import { RolloutTallyCounter } from './rollout-tally.js';

/**
 * This classifier's tally of the running rollout, published to `fashion-models.rollout-tallies`
 * every ROLLOUT_REPORT_INTERVAL_MS while it changes: cumulative, so a lost or late one costs
 * nothing but time, and the trainer adds up the latest of each classifier.
 */
@Injectable()
export class RolloutTalliesService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RolloutTalliesService.name);
  private counter?: RolloutTallyCounter;
  private timer?: NodeJS.Timeout;
  private readonly intervalMs: number;

  constructor(
    private readonly topics: RolloutTopicsService,
    config: ConfigService<ClassifierEnvironment, true>,
  ) {
    this.intervalMs = config.get('ROLLOUT_REPORT_INTERVAL_MS', { infer: true });
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.publish(), this.intervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.publish();
  }

  /** The counter of `rollout`, a new one when it is another rollout than the last one counted. */
  of(rollout: Rollout): RolloutTallyCounter {
    if (this.counter?.rolloutId !== rollout.id) {
      void this.publish();
      this.counter = RolloutTallyCounter.of(rollout);
    }
    return this.counter;
  }

  private async publish(): Promise<void> {
    const counter = this.counter;
    if (!counter?.changed) return;
    try {
      await this.topics.report(counter.tally(CLASSIFIER_ID));
    } catch (error) {
      counter.changed = true;
      this.logger.warn(
        `could not report the rollout's tally: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
