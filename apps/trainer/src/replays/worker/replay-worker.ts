/**
 * Entry of the child process that runs a replay's model (forked by ReplayWorkerProcess). It
 * lowers its own scheduling priority first: a replay runs beside live traffic, and the
 * classifiers' model calls must win the cores whenever both want them.
 */
import type * as tf from '@tensorflow/tfjs-node';
import { setPriority } from 'node:os';
import { argMaxRows, IMAGE_PIXELS, ModelArtifactsSchema } from '#fmnist';
import { deserializeModel, predictProbabilities } from '#fmnist/tensorflow';
import type { ReplayAnswer, ReplayCommand } from './replay-protocol.js';

/** The lowest priority a process can give itself (nice 19). */
const LOWEST_PRIORITY = 19;

let model: tf.LayersModel | undefined;
let batchSize = 64;

function send(answer: ReplayAnswer): void {
  process.send?.(answer);
}

async function handle(command: ReplayCommand): Promise<void> {
  if (command.type === 'model') {
    model = await deserializeModel(
      ModelArtifactsSchema.parse(command.artifacts),
    );
    batchSize = command.batchSize;
    send({ type: 'ready' });
    return;
  }
  if (!model) throw new Error('a chunk arrived before the model');
  const labels = new Uint8Array(command.count);
  const calls: { ms: number; images: number }[] = [];
  for (let first = 0; first < command.count; first += batchSize) {
    const count = Math.min(batchSize, command.count - first);
    const start = performance.now();
    const probabilities = await predictProbabilities(
      model,
      command.images.subarray(
        first * IMAGE_PIXELS,
        (first + count) * IMAGE_PIXELS,
      ),
      count,
      count,
    );
    calls.push({ ms: performance.now() - start, images: count });
    labels.set(argMaxRows(probabilities), first);
  }
  send({ type: 'labels', id: command.id, labels, calls });
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
