import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Gauge, register } from 'prom-client';
import type { RolloutFigures } from '#fmnist';
import { RolloutsService } from './rollouts.service.js';

const FIGURES: {
  name: string;
  help: string;
  value: (figures: RolloutFigures) => number | null;
}[] = [
  {
    name: 'trainer_rollout_requests',
    help: 'Requests given to the rollout candidate, over every classifier',
    value: (figures) => figures.requests,
  },
  {
    name: 'trainer_rollout_compared_images',
    help: 'Images both the candidate and the active model answered',
    value: (figures) => figures.compared,
  },
  {
    name: 'trainer_rollout_agreement',
    help: "Share of the compared images where the candidate answered the active model's class",
    value: (figures) => figures.agreement,
  },
  {
    name: 'trainer_rollout_candidate_errors',
    help: 'Requests the candidate failed',
    value: (figures) => figures.candidateErrors,
  },
  {
    name: 'trainer_rollout_candidate_latency_p50_seconds',
    help: "Median of the candidate's latency",
    value: (figures) => seconds(figures.candidateLatency.p50Ms),
  },
  {
    name: 'trainer_rollout_candidate_latency_p99_seconds',
    help: "99th percentile of the candidate's latency",
    value: (figures) => seconds(figures.candidateLatency.p99Ms),
  },
];

const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);

/**
 * The current rollout's figures (added up over every classifier), read when Prometheus scrapes,
 * labelled with the candidate, the mode and the state; `trainer_rollout_running` is 1 while one runs.
 */
@Injectable()
export class RolloutMetrics implements OnModuleInit {
  constructor(private readonly rollouts: RolloutsService) {}

  onModuleInit(): void {
    const { rollouts } = this;
    const labelNames = ['model', 'version', 'mode', 'state'];
    for (const figure of FIGURES) {
      new Gauge({
        name: figure.name,
        help: figure.help,
        labelNames,
        registers: [register],
        collect() {
          this.reset();
          const rollout = rollouts.current();
          const value = rollout && figure.value(rollout.figures);
          if (!rollout || value === null || value === undefined) return;
          this.set(
            {
              model: rollout.candidate.name,
              version: String(rollout.candidate.version),
              mode: rollout.mode,
              state: rollout.state,
            },
            value,
          );
        },
      });
    }
    new Gauge({
      name: 'trainer_rollout_running',
      help: 'Whether a rollout is running (1) or not (0)',
      registers: [register],
      collect() {
        this.set(rollouts.current()?.state === 'running' ? 1 : 0);
      },
    });
  }
}
