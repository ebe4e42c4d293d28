import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runPythonScript } from '../testing/python-clients.js';

const run = promisify(execFile);
const projectRoot = new URL('../../../', import.meta.url).pathname;

/** How both sides train the prototype's model: the seed-cnn job's settings, on the same split sizes. */
export interface PrototypeTraining {
  dataset: string;
  /** Training images before the validation part is held out (at most 60,000). */
  images: number;
  validationSplit: number;
  epochs: number;
  batchSize: number;
  seed: number;
}

export interface KerasReference {
  trainImages: number;
  imagesPerSecond: number;
  fitSeconds: number;
  testAccuracy: number;
  tensorflow: string;
}

/**
 * The prototype's model trained by Python Keras on this machine (tensorflow-cpu installed into a
 * cached virtual environment on first use), or why it could not be: the bench goes on without it.
 */
export async function kerasReference(
  training: PrototypeTraining,
): Promise<KerasReference | { skipped: string }> {
  let python: string;
  try {
    const { stdout } = await run('bash', [
      join(projectRoot, 'tools/provision/keras-reference.sh'),
    ]);
    python = stdout.trim();
  } catch (error) {
    return { skipped: `no Keras here: ${(error as Error).message}` };
  }
  return runPythonScript<KerasReference>(
    python,
    'tools/bench/keras-reference.py',
    training,
    30 * 60_000,
  );
}
