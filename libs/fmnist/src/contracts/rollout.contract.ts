import { createHash } from 'node:crypto';
import { z } from 'zod';
import { NUM_CLASSES } from '../labels.js';
import { ModelRefSchema } from './classification.contract.js';

/**
 * The rollout lives in the compacted topic `fashion-models.rollouts` under this one key: one
 * rollout at a time, its latest state (running, or how it ended, with its decisions) kept forever.
 */
export const ROLLOUT_KEY = 'rollout';

export const ROLLOUT_MODES = ['shadow', 'canary'] as const;
export type RolloutMode = (typeof ROLLOUT_MODES)[number];

export const ROLLOUT_STATES = [
  'running',
  'promoted',
  'rolled-back',
  'ended',
] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

/** Upper bounds (ms) of the latency histograms' buckets; one more bucket holds the rest. */
export const LATENCY_BUCKETS_MS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000,
] as const;

/** Limits on the candidate's figures, applied once it has answered `minRequests` requests. */
export const RolloutThresholdsSchema = z.object({
  minRequests: z.number().int().min(1).max(1_000_000),
  /** Candidate errors per request routed to it. */
  maxErrorRate: z.number().min(0).max(1).optional(),
  /** The candidate's 99th percentile latency, in ms. */
  maxLatencyP99Ms: z.number().positive().max(3_600_000).optional(),
  /** The share of images on which the candidate answers the active model's class. */
  minAgreement: z.number().min(0).max(1).optional(),
});
export type RolloutThresholds = z.infer<typeof RolloutThresholdsSchema>;

/** The figures a decision was taken on, kept with it. */
export const RolloutCheckpointSchema = z.object({
  requests: z.number().int().nonnegative(),
  compared: z.number().int().nonnegative(),
  agreement: z.number().min(0).max(1),
  errorRate: z.number().min(0).max(1),
  latencyP99Ms: z.number().nonnegative().nullable(),
});
export type RolloutCheckpoint = z.infer<typeof RolloutCheckpointSchema>;

export const RolloutEventSchema = z.object({
  at: z.iso.datetime(),
  event: z.enum(['started', 'promoted', 'rolled-back', 'ended']),
  reason: z.string(),
  figures: RolloutCheckpointSchema.optional(),
});
export type RolloutEvent = z.infer<typeof RolloutEventSchema>;

/**
 * A candidate version tried on a share of live requests (those that name no version), written by
 * the trainer and followed by every classifier. Shadow: the candidate also scores them, its answers
 * compared and never returned. Canary: it answers them (the active model scores them too, for the
 * comparison, and answers when the candidate fails).
 */
export const RolloutSchema = z.object({
  id: z.uuid(),
  candidate: ModelRefSchema,
  mode: z.enum(ROLLOUT_MODES),
  percent: z.number().min(1).max(100),
  autoPromote: RolloutThresholdsSchema.optional(),
  autoRollback: RolloutThresholdsSchema.optional(),
  state: z.enum(ROLLOUT_STATES),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime().optional(),
  history: z.array(RolloutEventSchema),
});
export type Rollout = z.infer<typeof RolloutSchema>;

const LatencyHistogramSchema = z
  .array(z.number().int().nonnegative())
  .length(LATENCY_BUCKETS_MS.length + 1);

/**
 * What one classifier compared for one rollout since it started, cumulative, published on
 * `fashion-models.rollout-tallies` (key: rollout and classifier): the latest one of each classifier
 * adds up to the whole.
 */
export const RolloutTallySchema = z.object({
  classifier: z.string(),
  rolloutId: z.uuid(),
  candidate: ModelRefSchema,
  /** Requests routed to the candidate that it answered or failed (expired ones left out). */
  requests: z.number().int().nonnegative(),
  /** `flips[active][candidate]`, per image both models answered. */
  flips: z
    .array(z.array(z.number().int().nonnegative()).length(NUM_CLASSES))
    .length(NUM_CLASSES),
  candidateErrors: z.number().int().nonnegative(),
  lastError: z.string().optional(),
  /** Per request, the duration of each model's call that answered it (LATENCY_BUCKETS_MS). */
  candidateLatency: LatencyHistogramSchema,
  activeLatency: LatencyHistogramSchema,
  reportedAt: z.iso.datetime(),
});
export type RolloutTally = z.infer<typeof RolloutTallySchema>;

export function rolloutTallyKey(rolloutId: string, classifier: string): string {
  return `${rolloutId}:${classifier}`;
}

/**
 * Whether a request belongs to the rollout's share: a hash of the rollout and the request id, so
 * every replica decides alike and a request sent again (to another partition) goes the same way.
 */
export function inRolloutShare(
  requestId: string,
  rollout: Pick<Rollout, 'id' | 'percent'>,
): boolean {
  const hash = createHash('sha256')
    .update(`${rollout.id}:${requestId}`)
    .digest();
  return (hash.readUInt32BE(0) / 2 ** 32) * 100 < rollout.percent;
}
