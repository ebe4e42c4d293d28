import { Injectable } from '@nestjs/common';
import {
  ClassificationErrorCode,
  inRolloutShare,
  type ModelRef,
} from '#fmnist';
import { RolloutTopicsService } from '#model-registry';
import { ClassificationFailure } from '../classification/classification-failure.js';
import { LoadedModelsService } from '../models/loaded-models.service.js';
import type { ModelOutcome } from './rollout-tally.js';
import { RolloutTalliesService } from './rollout-tallies.service.js';

/** A model version, or the newest of a name when `version` is absent. */
type RequestedModel = { name: string; version?: number };

/** What scoring a request with one model gives: the model, its answer per image, its call's time. */
export interface Scored {
  readonly model: ModelRef;
  readonly probabilities: number[][];
  readonly inferenceMs: number;
}

/**
 * Sends the running rollout's share of the requests that name no model through both the active
 * model and the candidate, and tallies how they compare. Shadow: the active model answers, the
 * candidate's answer is only counted. Canary: the candidate answers, or the active model when the
 * candidate fails. Both are queued in the same turn, so each rides in its model's next
 * micro-batch, the answering one first. Each model's latency is that of the model call that
 * answered the request: the same measure for both, whichever was queued first.
 */
@Injectable()
export class RolloutTrafficService {
  constructor(
    private readonly topics: RolloutTopicsService,
    private readonly tallies: RolloutTalliesService,
    private readonly models: LoadedModelsService,
  ) {}

  /** `score(undefined)` scores with the active model, `score(ref)` with that version. */
  async route<T extends Scored>(
    requestId: string,
    requested: RequestedModel | undefined,
    score: (model?: RequestedModel) => Promise<T>,
  ): Promise<T> {
    const rollout = this.topics.current;
    const active = this.models.active?.ref;
    if (
      requested ||
      rollout?.state !== 'running' ||
      !active ||
      (active.name === rollout.candidate.name &&
        active.version === rollout.candidate.version) ||
      !inRolloutShare(requestId, rollout)
    ) {
      return score(requested);
    }
    const counter = this.tallies.of(rollout);
    const scoreWith = (model?: RequestedModel) => {
      const scoring = score(model);
      return {
        scoring,
        outcome: scoring.then(
          (scored): ModelOutcome => ({
            ok: true,
            probabilities: scored.probabilities,
            latencyMs: scored.inferenceMs,
          }),
          (error: unknown): ModelOutcome | undefined =>
            expired(error) ? undefined : { ok: false, error: describe(error) },
        ),
      };
    };
    const canary = rollout.mode === 'canary';
    const first = scoreWith(canary ? rollout.candidate : undefined);
    const second = scoreWith(canary ? undefined : rollout.candidate);
    const [fromActive, fromCandidate] = canary
      ? [second, first]
      : [first, second];
    void Promise.all([fromActive.outcome, fromCandidate.outcome]).then(
      ([activeOutcome, candidateOutcome]) => {
        if (activeOutcome && candidateOutcome) {
          counter.count(activeOutcome, candidateOutcome);
        }
      },
    );
    if (!canary) {
      // Settled by `outcome` above: the candidate's failure never reaches the caller.
      return fromActive.scoring;
    }
    try {
      return await fromCandidate.scoring;
    } catch (error) {
      if (expired(error)) throw error;
      return fromActive.scoring;
    }
  }
}

function expired(error: unknown): boolean {
  return (
    error instanceof ClassificationFailure &&
    error.code === ClassificationErrorCode.deadlineExceeded
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
