import { z } from 'zod';
import { ModelRefSchema } from './classification.contract.js';

/**
 * The header that marks a streamed value as the model's own input, 784 bytes of 28x28 8-bit
 * grayscale (row-major, light item on black), rather than an image file.
 */
export const STREAM_CONTENT_TYPE_HEADER = 'content-type';
export const TENSOR_CONTENT_TYPE = 'application/x-fmnist-tensor';

/** What a classifier writes to the predictions topic for one input message, under its key. */
export const StreamPredictionSchema = z.object({
  label: z.string(),
  labelIndex: z.number().int().min(0).max(9),
  /** By label name, in label order. */
  probabilities: z.record(z.string(), z.number()),
  model: ModelRefSchema,
  /** The input message this result is for. */
  source: z.object({
    topic: z.string(),
    partition: z.number().int().nonnegative(),
    offset: z.string(),
  }),
  timings: z.object({
    /** From the input's timestamp (its producer's clock) to the classifier's fetch. */
    queueMs: z.number(),
    /** Turning the value into the model's 28x28 image. */
    decodeMs: z.number(),
    /** The model call that included this image (shared with the rest of its batch). */
    inferenceMs: z.number(),
    /** How many images that model call classified together. */
    batchImages: z.number().int().positive(),
  }),
  classifier: z.string(),
});
export type StreamPrediction = z.infer<typeof StreamPredictionSchema>;
