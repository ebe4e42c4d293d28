import { z } from 'zod';
import { IMAGE_PIXELS } from '../image/image-format.js';

/** Upper bound of images in one request, so one message stays small (about 70 KB). */
export const MAX_IMAGES_PER_REQUEST = 64;

/** A preprocessed image: 28x28 8-bit grayscale, row-major, light item on black. */
const base64Image = z
  .string()
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'image must be base64')
  .refine(
    (value) => Buffer.byteLength(value, 'base64') === IMAGE_PIXELS,
    `image must be ${IMAGE_PIXELS} bytes (28x28 grayscale) in base64`,
  );

export const ModelRefSchema = z.object({
  name: z.string().min(1).max(100),
  version: z.number().int().positive(),
});
export type ModelRef = z.infer<typeof ModelRefSchema>;

/** What the gateway produces to `fashion-images`. */
export const ClassificationRequestSchema = z.object({
  requestId: z.string().min(1).max(128),
  images: z.array(base64Image).min(1).max(MAX_IMAGES_PER_REQUEST),
  /** A specific model version; the active model when absent. */
  model: ModelRefSchema.partial({ version: true }).optional(),
  /** Epoch milliseconds when the gateway produced the request, for the queue timing. */
  sentAt: z.number().int().nonnegative(),
});
export type ClassificationRequest = z.infer<typeof ClassificationRequestSchema>;

/** What a classifier replies: per image, the probability of each class in label order. */
export const ClassificationReplySchema = z.object({
  requestId: z.string(),
  model: ModelRefSchema,
  predictions: z.array(
    z.object({ probabilities: z.array(z.number()).length(10) }),
  ),
  timings: z.object({
    /** From the gateway's send to the classifier's start of work. */
    queueMs: z.number(),
    /** The model call that included this request (shared with batched requests). */
    inferenceMs: z.number(),
    /** How many images that model call classified together. */
    batchImages: z.number().int().positive(),
  }),
  classifier: z.string(),
});
export type ClassificationReply = z.infer<typeof ClassificationReplySchema>;

/** Why a classifier refused a request; the gateway maps each to an HTTP status. */
export const ClassificationErrorCode = {
  noModel: 'NO_MODEL',
  unknownModel: 'UNKNOWN_MODEL',
  invalidRequest: 'INVALID_REQUEST',
  internal: 'INTERNAL',
} as const;
export type ClassificationErrorCode =
  (typeof ClassificationErrorCode)[keyof typeof ClassificationErrorCode];

export const ClassificationErrorSchema = z.object({
  code: z.enum(ClassificationErrorCode),
  message: z.string(),
});
export type ClassificationError = z.infer<typeof ClassificationErrorSchema>;

export function encodeImage(pixels: Uint8Array): string {
  return Buffer.from(
    pixels.buffer,
    pixels.byteOffset,
    pixels.byteLength,
  ).toString('base64');
}

export function decodeImage(image: string): Uint8Array {
  return new Uint8Array(Buffer.from(image, 'base64'));
}
