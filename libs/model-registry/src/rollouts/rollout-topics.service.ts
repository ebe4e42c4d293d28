import {
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Kafka } from 'kafkajs';
import { Subject } from 'rxjs';
import {
  ROLLOUT_KEY,
  RolloutSchema,
  RolloutTallySchema,
  rolloutTallyKey,
  Topics,
  type Rollout,
  type RolloutTally,
} from '#fmnist';
import {
  CompactedTopicFollower,
  jsonMessage,
  appKafkaConfig,
  type FollowedRecord,
  type PlatformEnvironment,
} from '#platform';

/**
 * Every app's view of the rollout (`fashion-models.rollouts`) and of the tallies classifiers
 * report for it (`fashion-models.rollout-tallies`): both topics read from the start in a group of
 * this process alone, then followed, so a rollout started or ended anywhere reaches every
 * classifier, and every tally reaches every trainer.
 */
@Injectable()
export class RolloutTopicsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RolloutTopicsService.name);
  private readonly follower: CompactedTopicFollower;
  private rollout?: Rollout;
  /**
   * The latest tally of each classifier, per rollout: the two topics are read in no common order,
   * so a tally may come before the rollout it counts for.
   */
  private readonly tallies = new Map<string, Map<string, RolloutTally>>();
  private readonly rolloutsSubject = new Subject<Rollout>();
  private readonly talliesSubject = new Subject<RolloutTally>();
  /** Each state of the rollout as it is read, in topic order. */
  readonly rollouts = this.rolloutsSubject.asObservable();
  /** Each tally as it is read. */
  readonly tallyReports = this.talliesSubject.asObservable();

  constructor(config: ConfigService<PlatformEnvironment, true>) {
    this.follower = new CompactedTopicFollower(
      new Kafka(appKafkaConfig(config, 'rollouts')),
      {
        groupPrefix: 'fashion-rollouts',
        topics: [Topics.rollouts, Topics.rolloutTallies],
        apply: (record) => this.apply(record),
      },
      this.logger,
    );
  }

  /**
   * Both topics are read up to where they end now before the app serves: a restarted trainer
   * shows the figures it showed before, a restarted classifier follows the running rollout.
   */
  onModuleInit(): Promise<void> {
    return this.follower.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.follower.stop();
  }

  /** The running rollout, or the last one and how it ended. */
  get current(): Rollout | undefined {
    return this.rollout;
  }

  /** The latest tally of each classifier that reported on the current rollout. */
  currentTallies(): RolloutTally[] {
    const id = this.rollout?.id;
    return id ? [...(this.tallies.get(id)?.values() ?? [])] : [];
  }

  /** Writes the rollout's new state; resolves once this process reads it back. */
  async write(rollout: Rollout): Promise<Rollout> {
    const record = RolloutSchema.parse(rollout);
    await this.follower.sendAndSee(
      Topics.rollouts,
      jsonMessage(ROLLOUT_KEY, record),
    );
    return record;
  }

  async report(tally: RolloutTally): Promise<void> {
    await this.follower.send(Topics.rolloutTallies, [
      jsonMessage(
        rolloutTallyKey(tally.rolloutId, tally.classifier),
        RolloutTallySchema.parse(tally),
      ),
    ]);
  }

  private apply({ topic, key, value }: FollowedRecord): void {
    if (!value) return;
    if (topic === Topics.rolloutTallies) {
      this.applyTally(value.toString());
    } else if (key === ROLLOUT_KEY) {
      this.applyRollout(value.toString());
    }
  }

  private applyRollout(value: string): void {
    try {
      const rollout = RolloutSchema.parse(JSON.parse(value));
      this.rollout = rollout;
      this.rolloutsSubject.next(rollout);
    } catch (error) {
      // One bad record must not stop a process from following the rollouts after it.
      this.logger.warn(`skipping rollout record: ${String(error)}`);
    }
  }

  private applyTally(value: string): void {
    try {
      const tally = RolloutTallySchema.parse(JSON.parse(value));
      const ofRollout =
        this.tallies.get(tally.rolloutId) ?? new Map<string, RolloutTally>();
      this.tallies.set(tally.rolloutId, ofRollout.set(tally.classifier, tally));
      this.talliesSubject.next(tally);
    } catch (error) {
      this.logger.warn(`skipping rollout tally: ${String(error)}`);
    }
  }
}
