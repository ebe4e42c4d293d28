import {
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import kafkajs, { Kafka, type Consumer, type Producer } from 'kafkajs';
import { filter, firstValueFrom, Subject } from 'rxjs';
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
  kafkaClientConfig,
  kafkaConnection,
  removeGroup,
  restartAfterFatalCrash,
  withTimeout,
  type PlatformEnvironment,
} from '#platform';

const { Partitioners } = kafkajs;
const CATCH_UP_TIMEOUT_MS = 30_000;
const ECHO_TIMEOUT_MS = 15_000;

/**
 * Every app's view of the rollout (`fashion-models.rollouts`) and of the tallies classifiers
 * report for it (`fashion-models.rollout-tallies`): both topics read from the start in a group of
 * this process alone, then followed, so a rollout started or ended anywhere reaches every
 * classifier, and every tally reaches every trainer.
 */
@Injectable()
export class RolloutTopicsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RolloutTopicsService.name);
  private readonly kafka: Kafka;
  private consumer?: Consumer;
  private readonly groupId = `fashion-rollouts-${randomUUID()}`;
  private producer?: Producer;
  private stopRestarting?: () => void;
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
    const prefix = config.get('KAFKA_CLIENT_ID_PREFIX', { infer: true });
    this.kafka = new Kafka(
      kafkaClientConfig(kafkaConnection(config), `${prefix}-rollouts`),
    );
  }

  async onModuleInit(): Promise<void> {
    // Both topics are read up to where they end now before the app serves: a restarted trainer
    // shows the figures it showed before, a restarted classifier follows the running rollout.
    const pending = await this.endOffsets();
    let caughtUp!: () => void;
    const isCaughtUp = new Promise<void>((resolve) => (caughtUp = resolve));
    const read = (topic: string, offset: string) => {
      if (Number(offset) + 1 >= (pending.get(topic) ?? 0))
        pending.delete(topic);
      if (pending.size === 0) caughtUp();
    };
    if (pending.size === 0) caughtUp();

    const consumer = (this.consumer = this.kafka.consumer({
      groupId: this.groupId,
    }));
    await consumer.connect();
    await consumer.subscribe({
      topics: [Topics.rollouts, Topics.rolloutTallies],
      fromBeginning: true,
    });
    const run = () =>
      consumer.run({
        // Each start reads both topics whole: nothing to resume, and no offsets left behind.
        autoCommit: false,
        eachMessage: ({ topic, message }) => {
          const value = message.value?.toString();
          if (topic === Topics.rolloutTallies) {
            if (value) this.applyTally(value);
          } else if (value && message.key?.toString() === ROLLOUT_KEY) {
            this.applyRollout(value);
          }
          read(topic, message.offset);
          return Promise.resolve();
        },
      });
    this.stopRestarting = restartAfterFatalCrash(consumer, run, this.logger);
    await run();
    await withTimeout(
      isCaughtUp,
      CATCH_UP_TIMEOUT_MS,
      `reading the rollouts took longer than ${CATCH_UP_TIMEOUT_MS} ms`,
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.stopRestarting?.();
    await Promise.all([
      this.consumer
        ?.disconnect()
        .then(() => removeGroup(this.kafka, this.groupId, this.logger)),
      this.producer?.disconnect(),
    ]);
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
    const echo = withTimeout(
      firstValueFrom(
        this.rollouts.pipe(
          filter(
            (read) =>
              read.id === record.id &&
              read.state === record.state &&
              read.history.length === record.history.length,
          ),
        ),
      ),
      ECHO_TIMEOUT_MS,
      `the rollout topic did not echo rollout ${record.id} within ${ECHO_TIMEOUT_MS} ms`,
    );
    await this.send(Topics.rollouts, ROLLOUT_KEY, record);
    return echo;
  }

  async report(tally: RolloutTally): Promise<void> {
    await this.send(
      Topics.rolloutTallies,
      rolloutTallyKey(tally.rolloutId, tally.classifier),
      RolloutTallySchema.parse(tally),
    );
  }

  /** Where each topic that holds anything ends (a single partition each). */
  private async endOffsets(): Promise<Map<string, number>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const ends = new Map<string, number>();
      for (const topic of [Topics.rollouts, Topics.rolloutTallies]) {
        for (const { low, high } of await admin.fetchTopicOffsets(topic)) {
          if (Number(high) > Number(low)) ends.set(topic, Number(high));
        }
      }
      return ends;
    } finally {
      await admin.disconnect();
    }
  }

  private async send(topic: string, key: string, value: unknown) {
    if (!this.producer) {
      this.producer = this.kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await this.producer.connect();
    }
    await this.producer.send({
      topic,
      messages: [{ key, value: JSON.stringify(value) }],
    });
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
