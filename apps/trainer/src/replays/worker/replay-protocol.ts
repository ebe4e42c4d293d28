import type { ModelArtifacts } from '#fmnist';

/** What the trainer sends a replay worker: the model once, then chunks of 28x28 images. */
export type ReplayCommand =
  | { type: 'model'; artifacts: ModelArtifacts; batchSize: number }
  | { type: 'chunk'; id: number; images: Uint8Array; count: number };

/** What a replay worker answers: ready once, then one `labels` per chunk, or `failed`. */
export type ReplayAnswer =
  | { type: 'ready' }
  | {
      type: 'labels';
      id: number;
      /** The class the model gives each image of the chunk. */
      labels: Uint8Array;
      /** Milliseconds of each model call, with the images it held. */
      calls: { ms: number; images: number }[];
    }
  | { type: 'failed'; error: string };
