import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ModelRefSchema } from './classification.contract.js';

/**
 * The model registry lives in the compacted topic `fashion-models`: one record per model version
 * (key `model:<name>:<version>`) and one record naming the active version (key `active`), so any
 * classifier, anywhere, rebuilds the registry by reading the topic from the start.
 */
export const ACTIVE_MODEL_KEY = 'active';

export function modelRecordKey(ref: { name: string; version: number }): string {
  return `model:${ref.name}:${ref.version}`;
}

/**
 * Where several trainers publish, each record of a version is written under a key of its own
 * (`model:<name>:<version>:<publishId>`): compaction never merges two writers' records, and every
 * reader keeps the first one in topic order, so all agree on which won.
 */
export function publishedRecordKey(
  ref: { name: string; version: number },
  publishId: string,
): string {
  return `${modelRecordKey(ref)}:${publishId}`;
}

/** The sha256 of a model's weights (the bytes, not their base64), written by the publisher. */
export function weightsChecksum(weightData: string): string {
  return createHash('sha256')
    .update(Buffer.from(weightData, 'base64'))
    .digest('hex');
}

/** A tfjs LayersModel as JSON: topology, weight manifest and the weights as base64. */
export const ModelArtifactsSchema = z.object({
  modelTopology: z.record(z.string(), z.unknown()),
  weightSpecs: z.array(
    z.object({
      name: z.string(),
      shape: z.array(z.number().int()),
      dtype: z.enum(['float32', 'int32', 'bool', 'string', 'complex64']),
    }),
  ),
  weightData: z.string(),
});
export type ModelArtifacts = z.infer<typeof ModelArtifactsSchema>;

export const ModelMetricsSchema = z.object({
  accuracy: z.number().min(0).max(1),
  loss: z.number().optional(),
  perClass: z
    .array(
      z.object({
        precision: z.number(),
        recall: z.number(),
        f1: z.number().optional(),
      }),
    )
    .optional(),
  confusionMatrix: z.array(z.array(z.number().int())).optional(),
  evaluatedOn: z.string().optional(),
});
/** A model record's metrics: the test-set metrics (TestSetMetrics), some absent in older records. */
export type ModelMetrics = z.infer<typeof ModelMetricsSchema>;

/** What every process holds of a version: everything but its weights. */
export const ModelSummarySchema = ModelRefSchema.extend({
  architecture: z.string(),
  dataset: z.string(),
  metrics: ModelMetricsSchema,
  createdAt: z.iso.datetime(),
  jobId: z.string().optional(),
  /** Which publish wrote it: tells a writer whether its record won the version. */
  publishId: z.string().optional(),
  /** `weightsChecksum` of the artifacts; readers refuse weights that do not match it. */
  weightsSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
export type ModelSummary = z.infer<typeof ModelSummarySchema>;

/** A version with its weights: what a publisher hands the registry and a classifier builds. */
export const ModelRecordSchema = ModelSummarySchema.extend({
  artifacts: ModelArtifactsSchema,
});
export type ModelRecord = z.infer<typeof ModelRecordSchema>;

/**
 * Where a version's weights lie on `fashion-models.weights`: the offset of the record holding
 * them (compaction keeps offsets), under the same key as the version's record.
 */
export const WeightsLocationSchema = z.object({
  partition: z.number().int().min(0),
  offset: z.string().regex(/^\d+$/),
  /** The weights' size in bytes, for whoever plans memory. */
  bytes: z.number().int().min(0),
});
export type WeightsLocation = z.infer<typeof WeightsLocationSchema>;

/**
 * A version's record on `fashion-models`: its summary and where its weights are, so that a reader
 * of the registry never reads weights it does not load. Records written before the weights had a
 * topic of their own carry them inline (`artifacts`): still read, their weights fetched by offset.
 */
export const RegistryEntrySchema = ModelSummarySchema.extend({
  weights: WeightsLocationSchema.optional(),
  artifacts: ModelArtifactsSchema.optional(),
}).refine((entry) => entry.weights ?? entry.artifacts, {
  message:
    'a version record says where its weights are (weights) or holds them (artifacts)',
});
export type RegistryEntry = z.infer<typeof RegistryEntrySchema>;

/**
 * A version's weights on `fashion-models.weights`: the raw little-endian values as the record's
 * value (no base64, no JSON), the topology and weight manifest, small, in this header.
 */
export const WEIGHTS_MANIFEST_HEADER = 'manifest';
export const WeightsManifestSchema = ModelArtifactsSchema.omit({
  weightData: true,
});

export const ActiveModelSchema = ModelRefSchema.extend({
  promotedAt: z.iso.datetime(),
  /**
   * The versions active before this one, newest first: where a classifier that cannot load this
   * version falls back, the same choice on every replica, old or new.
   */
  previous: z.array(ModelRefSchema).max(10).optional(),
});
export type ActiveModel = z.infer<typeof ActiveModelSchema>;

/**
 * What one classifier serves, reported on `fashion-models.serving` (key: the classifier) when it
 * changes and as a heartbeat; a report older than a few heartbeats is a classifier that is gone.
 */
export const ServingReportSchema = z.object({
  classifier: z.string(),
  /** The version the registry names active, when there is one. */
  wanted: ModelRefSchema.optional(),
  /** The version answering requests that name none (the wanted one, or a fallback). */
  serving: ModelRefSchema.optional(),
  loaded: z.array(ModelRefSchema),
  failed: z.array(z.object({ model: ModelRefSchema, error: z.string() })),
  reportedAt: z.iso.datetime(),
});
export type ServingReport = z.infer<typeof ServingReportSchema>;
