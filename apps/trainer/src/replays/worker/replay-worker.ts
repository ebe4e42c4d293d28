/**
 * Entry of the child process that runs a replay's model (forked by ReplayWorkerProcess). It
 * lowers its own scheduling priority first: a replay runs beside live traffic, and the
 * classifiers' model calls must win the cores whenever both want them.
 */
import { setPriority } from 'node:os';
import {
  argMaxRows,
  IMAGE_PIXELS,
  ModelArtifactsSchema,
  STREAM_CONTENT_TYPE_HEADER,
  streamedImage,
} from '#fmnist';
import {
  deserializeModel,
  predictProbabilities,
  ServingModel,
} from '#fmnist/tensorflow';
import {
  UNDECODABLE,
  type ReplayAnswer,
  type ReplayCommand,
  type StreamedValue,
} from './replay-protocol.js';

/** The lowest priority a process can give itself (nice 19). */
const LOWEST_PRIORITY = 19;

let model: ServingModel | undefined;
let batchSize = 64;

function send(answer: ReplayAnswer): void {
  process.send?.(answer);
}

async function handle(command: ReplayCommand): Promise<void> {
  if (command.type === 'model') {
    model?.dispose();
    // Run as the classifiers run it, so that its call times are theirs.
    model = await ServingModel.of(
      await deserializeModel(ModelArtifactsSchema.parse(command.artifacts)),
    );
    batchSize = command.batchSize;
    send({ type: 'ready' });
    return;
  }
  if (command.type === 'values') {
    const { images, undecodable } = await decode(command.values);
    const answer = await classify(images, command.values.length);
    for (const index of undecodable) answer.labels[index] = UNDECODABLE;
    send({ type: 'labels', id: command.id, ...answer });
    return;
  }
  send({
    type: 'labels',
    id: command.id,
    ...(await classify(command.images, command.count)),
  });
}

/** The values as the streaming path decodes them; those it cannot, left black and named. */
async function decode(
  values: StreamedValue[],
): Promise<{ images: Uint8Array; undecodable: number[] }> {
  const images = new Uint8Array(values.length * IMAGE_PIXELS);
  const undecodable: number[] = [];
  for (const [index, { value, contentType }] of values.entries()) {
    try {
      const pixels = await streamedImage(
        Buffer.from(value.buffer, value.byteOffset, value.byteLength),
        contentType ? { [STREAM_CONTENT_TYPE_HEADER]: contentType } : undefined,
      );
      images.set(pixels, index * IMAGE_PIXELS);
    } catch {
      undecodable.push(index);
    }
  }
  return { images, undecodable };
}

async function classify(
  images: Uint8Array,
  count: number,
): Promise<{ labels: Uint8Array; calls: { ms: number; images: number }[] }> {
  if (!model) throw new Error('images arrived before the model');
  const labels = new Uint8Array(count);
  const calls: { ms: number; images: number }[] = [];
  for (let first = 0; first < count; first += batchSize) {
    const size = Math.min(batchSize, count - first);
    const start = performance.now();
    const probabilities = await predictProbabilities(
      model,
      images.subarray(first * IMAGE_PIXELS, (first + size) * IMAGE_PIXELS),
      size,
      size,
    );
    calls.push({ ms: performance.now() - start, images: size });
    labels.set(argMaxRows(probabilities), first);
  }
  return { labels, calls };
}

setPriority(LOWEST_PRIORITY);
// Commands are handled one after the other, in the order they came.
let queue = Promise.resolve();
process.on('message', (command: ReplayCommand) => {
  queue = queue
    .then(() => handle(command))
    .catch((error: unknown) => {
      send({
        type: 'failed',
        error: error instanceof Error ? error.message : String(error),
      });
    });
});
