import { z } from 'zod';

/** A message that could not be processed, as kept in the dead-letter topic. */
export const DeadLetterRecordSchema = z.object({
  source: z.object({
    topic: z.string(),
    partition: z.number().int(),
    offset: z.string(),
    key: z.string().nullable(),
  }),
  /** The original value, base64, exactly as it was on the source topic. */
  value: z.string().nullable(),
  headers: z.record(z.string(), z.string()),
  error: z.string(),
  failedAt: z.iso.datetime(),
  /** Which consumer gave up on it. */
  consumer: z.string(),
});
export type DeadLetterRecord = z.infer<typeof DeadLetterRecordSchema>;
