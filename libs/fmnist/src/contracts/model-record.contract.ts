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

export const ModelRecordSchema = ModelRefSchema.extend({
  architecture: z.string(),
  dataset: z.string(),
  metrics: ModelMetricsSchema,
  createdAt: z.iso.datetime(),
  jobId: z.string().optional(),
  artifacts: ModelArtifactsSchema,
});
export type ModelRecord = z.infer<typeof ModelRecordSchema>;
export type ModelSummary = Omit<ModelRecord, 'artifacts'>;

export const ActiveModelSchema = ModelRefSchema.extend({
  promotedAt: z.iso.datetime(),
});
export type ActiveModel = z.infer<typeof ActiveModelSchema>;
