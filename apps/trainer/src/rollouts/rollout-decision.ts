import type { Rollout, RolloutFigures, RolloutThresholds } from '#fmnist';

export interface RolloutDecision {
  readonly state: 'promoted' | 'rolled-back';
  readonly reason: string;
}

/**
 * What the figures say of a running rollout, once the candidate has been given the requests the
 * limits ask for: rolled back when one figure is beyond `autoRollback`, promoted when every one is
 * within `autoPromote` (the rollback's limits first). A figure that could not be measured (no
 * image compared, no answer timed) counts as beyond its limit: it proves nothing good.
 */
export function decideRollout(
  rollout: Rollout,
  figures: RolloutFigures,
): RolloutDecision | undefined {
  if (rollout.state !== 'running') return undefined;
  const after = `after ${figures.requests} requests`;
  const { autoRollback, autoPromote } = rollout;
  if (autoRollback && figures.requests >= autoRollback.minRequests) {
    const beyond = beyondLimits(autoRollback, figures);
    if (beyond.length > 0) {
      return { state: 'rolled-back', reason: `${beyond.join('; ')} ${after}` };
    }
  }
  if (autoPromote && figures.requests >= autoPromote.minRequests) {
    if (beyondLimits(autoPromote, figures).length === 0) {
      return {
        state: 'promoted',
        reason: `every figure within the limits ${after}`,
      };
    }
  }
  return undefined;
}

function beyondLimits(
  limits: RolloutThresholds,
  figures: RolloutFigures,
): string[] {
  const beyond: string[] = [];
  const round = (value: number) => Number(value.toPrecision(4));
  if (
    limits.maxErrorRate !== undefined &&
    figures.errorRate > limits.maxErrorRate
  ) {
    beyond.push(
      `error rate ${round(figures.errorRate)} > ${limits.maxErrorRate}`,
    );
  }
  const p99 = figures.candidateLatency.p99Ms;
  if (limits.maxLatencyP99Ms !== undefined) {
    if (p99 === null) beyond.push('no candidate answer to time');
    else if (p99 > limits.maxLatencyP99Ms) {
      beyond.push(`latency p99 ${round(p99)} ms > ${limits.maxLatencyP99Ms}`);
    }
  }
  if (limits.minAgreement !== undefined) {
    if (figures.compared === 0) beyond.push('no image compared');
    else if (figures.agreement < limits.minAgreement) {
      beyond.push(
        `agreement ${round(figures.agreement)} < ${limits.minAgreement}`,
      );
    }
  }
  return beyond;
}
