import type { ModelArtifacts } from '#fmnist';

/** A streamed input as it was recorded: an image file, or a tensor when its content type says so. */
export interface StreamedValue {
  value: Uint8Array;
  contentType?: string;
}

/**
 * What the trainer sends a replay worker: the model once, then chunks of 28x28 images, or of
 * streamed values the worker decodes itself (at its low priority) as the streaming path does.
 */
export type ReplayCommand =
  | { type: 'model'; artifacts: ModelArtifacts; batchSize: number }
  | { type: 'chunk'; id: number; images: Uint8Array; count: number }
  | { type: 'values'; id: number; values: StreamedValue[] };

/** The label of a streamed value the worker could not decode. */
export const UNDECODABLE = 255;

/** What a replay worker answers: ready once, then one `labels` per chunk, or `failed`. */
export type ReplayAnswer =
  | { type: 'ready' }
  | {
      type: 'labels';
      id: number;
      /** The class the model gives each image of the chunk (UNDECODABLE for such a value). */
      labels: Uint8Array;
      /** Milliseconds of each model call, with the images it held. */
      calls: { ms: number; images: number }[];
    }
  | { type: 'failed'; error: string };
