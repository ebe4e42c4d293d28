import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const projectRoot = new URL('../../../', import.meta.url).pathname;

/**
 * The python of the virtual environment with the inference-protocol clients (tritonclient, the
 * kserve SDK), installed by the test tools' provisioning when it is missing.
 */
export async function inferenceClientsPython(): Promise<string> {
  const { stdout } = await run('bash', [
    join(projectRoot, 'tools/provision/python-clients.sh'),
  ]);
  return stdout.trim();
}

/** Runs a Python script with one JSON argument and parses the JSON it prints. */
export async function runPythonScript<T>(
  python: string,
  script: string,
  argument: unknown,
  timeoutMs = 120_000,
): Promise<T> {
  const { stdout } = await run(
    python,
    [join(projectRoot, script), JSON.stringify(argument)],
    { maxBuffer: 16 * 1024 * 1024, timeout: timeoutMs },
  );
  return JSON.parse(stdout) as T;
}
