import * as tf from '@tensorflow/tfjs-node';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A TensorFlow session holding one graph, run with `predict` under its signature. */
export type GraphSession = Awaited<ReturnType<typeof tf.node.loadSavedModel>>;

/** Loads a SavedModel written by `GraphBuilder` into a session of its own. */
export async function loadGraphSession(
  savedModel: Uint8Array,
  signature: string,
): Promise<GraphSession> {
  // TensorFlow loads a SavedModel from a folder only; it is read whole at load.
  const dir = await mkdtemp(join(tmpdir(), 'fmnist-graph-'));
  try {
    await mkdir(join(dir, 'variables'));
    await writeFile(join(dir, 'saved_model.pb'), savedModel);
    return await tf.node.loadSavedModel(dir, ['serve'], signature);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
