import {
  ConflictException,
  Injectable,
  Logger,
  NotFoundException,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { merge, type Subscription } from 'rxjs';
import {
  rolloutCheckpoint,
  rolloutFigures,
  type ModelRef,
  type Rollout,
  type RolloutEvent,
  type RolloutFigures,
} from '#fmnist';
import { ModelRegistryService, RolloutTopicsService } from '#model-registry';
import type { StartRolloutDto } from './dto/start-rollout.dto.js';
import { decideRollout } from './rollout-decision.js';

export type RolloutView = Rollout & { figures: RolloutFigures };

/**
 * The trainer's side of rollouts: it writes the rollout for every classifier to follow, adds up
 * what the classifiers report, and takes the automatic decisions as the tallies come in, writing
 * each one with the figures it was taken on (a promotion goes through the registry first).
 */
@Injectable()
export class RolloutsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RolloutsService.name);
  private subscription?: Subscription;
  /** One change of the rollout at a time: a decision and a request never overwrite each other. */
  private changing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly topics: RolloutTopicsService,
    private readonly registry: ModelRegistryService,
  ) {}

  onModuleInit(): void {
    const warn = (error: unknown) =>
      this.logger.warn(
        `could not apply the rollout's decision: ${error instanceof Error ? error.message : String(error)}`,
      );
    this.subscription = merge(
      this.topics.rollouts,
      this.topics.tallyReports,
    ).subscribe(() => {
      this.change(() => this.decide()).catch(warn);
    });
    this.subscription.add(
      this.registry.changes.subscribe((change) => {
        if (change.kind !== 'retired') return;
        this.change(() => this.endRetired(change.model)).catch(warn);
      }),
    );
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  /** The running rollout, or the last one and how it ended, with its figures. */
  current(): RolloutView | undefined {
    const rollout = this.topics.current;
    return rollout && { ...rollout, figures: this.figures() };
  }

  start(candidate: ModelRef, settings: StartRolloutDto): Promise<RolloutView> {
    return this.change(async () => {
      if (!this.registry.find(candidate)) {
        throw new NotFoundException(
          `model ${candidate.name} version ${candidate.version} not found`,
        );
      }
      if (this.registry.isActive(candidate)) {
        throw new ConflictException(
          `model ${candidate.name} version ${candidate.version} is the active version: roll out another one`,
        );
      }
      const running = this.running();
      if (running) {
        throw new ConflictException(
          `a rollout of ${describe(running.candidate)} is running: end it first (DELETE /v1/rollout)`,
        );
      }
      const at = new Date().toISOString();
      const rollout: Rollout = {
        id: randomUUID(),
        candidate: { name: candidate.name, version: candidate.version },
        mode: settings.mode,
        percent: settings.percent,
        ...(settings.autoPromote && {
          autoPromote: { ...settings.autoPromote },
        }),
        ...(settings.autoRollback && {
          autoRollback: { ...settings.autoRollback },
        }),
        state: 'running',
        startedAt: at,
        history: [
          {
            at,
            event: 'started',
            reason: `${settings.mode} on ${settings.percent}% of the requests`,
          },
        ],
      };
      await this.topics.write(rollout);
      this.logger.log(
        `rollout of ${describe(candidate)} started: ${rollout.history[0].reason}`,
      );
      return this.view(rollout);
    });
  }

  end(): Promise<RolloutView> {
    return this.change(async () => {
      const running = this.running();
      if (!running) throw new NotFoundException('no rollout is running');
      return this.view(await this.finish(running, 'ended', 'ended on request'));
    });
  }

  /** A candidate retired meanwhile can only fail: its rollout ends, saying why. */
  private async endRetired(model: ModelRef): Promise<void> {
    const running = this.running();
    if (
      running?.candidate.name === model.name &&
      running.candidate.version === model.version
    ) {
      await this.finish(running, 'ended', 'the candidate was retired');
    }
  }

  private async decide(): Promise<void> {
    const running = this.running();
    if (!running) return;
    const decision = decideRollout(running, this.figures());
    if (!decision) return;
    if (decision.state === 'promoted') {
      try {
        await this.registry.promote(running.candidate);
      } catch (error) {
        await this.finish(
          running,
          'ended',
          `the promotion the figures called for failed: ${error instanceof Error ? error.message : String(error)}`,
        );
        return;
      }
    }
    await this.finish(running, decision.state, decision.reason);
  }

  private async finish(
    rollout: Rollout,
    state: RolloutEvent['event'] & Rollout['state'],
    reason: string,
  ): Promise<Rollout> {
    const figures = rolloutCheckpoint(this.figures());
    const at = new Date().toISOString();
    const ended = await this.topics.write({
      ...rollout,
      state,
      endedAt: at,
      history: [...rollout.history, { at, event: state, reason, figures }],
    });
    this.logger[state === 'rolled-back' ? 'warn' : 'log'](
      `rollout of ${describe(rollout.candidate)} ${state}: ${reason} ${JSON.stringify(figures)}`,
    );
    return ended;
  }

  private running(): Rollout | undefined {
    const rollout = this.topics.current;
    return rollout?.state === 'running' ? rollout : undefined;
  }

  private figures(): RolloutFigures {
    return rolloutFigures(this.topics.currentTallies());
  }

  private view(rollout: Rollout): RolloutView {
    return { ...rollout, figures: this.figures() };
  }

  private change<T>(work: () => Promise<T>): Promise<T> {
    const result = this.changing.then(work);
    this.changing = result.catch(() => undefined);
    return result;
  }
}

function describe(ref: ModelRef): string {
  return `${ref.name} v${ref.version}`;
}
