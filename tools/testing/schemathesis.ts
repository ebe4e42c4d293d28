import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const projectRoot = new URL('../../../', import.meta.url).pathname;
const SETTINGS = join(projectRoot, 'tools/testing/schemathesis');

export interface SchemathesisRun {
  /** Names the run: its folder under test-output/schemathesis/, where replays are kept. */
  name: string;
  /** The OpenAPI description's URL. */
  schema: string;
  /** Where the requests go, when not where the description is served. */
  baseUrl?: string;
  /** Only the operations whose path matches. */
  includePath?: string;
  /** The phases to run, when not all of them (examples, coverage, fuzzing, stateful). */
  phases?: string[];
  seed: number;
  maxExamples: number;
  /** Read by the hooks and the settings (tools/testing/schemathesis/). */
  env: NodeJS.ProcessEnv;
}

export interface SchemathesisResult {
  passed: boolean;
  /** Everything Schemathesis printed: each failure with a curl command and `st replay <id>`. */
  output: string;
  /** Its closing line: cases generated, failures, time. */
  summary: string;
  folder: string;
}

/** The pinned Schemathesis command, installed by the test tools' provisioning when missing. */
export async function schemathesisCommand(): Promise<string> {
  const { stdout } = await run('bash', [
    join(projectRoot, 'tools/provision/schemathesis.sh'),
  ]);
  return stdout.trim();
}

/**
 * `schemathesis run` with every check (its default), the project's settings and hooks, a fixed
 * seed and a bounded number of examples per operation, in a folder of its own under
 * test-output/schemathesis/ (its `.schemathesis` crash records are what `schemathesis replay` reads).
 */
export async function runSchemathesis(
  command: string,
  options: SchemathesisRun,
): Promise<SchemathesisResult> {
  const folder = join(projectRoot, 'test-output/schemathesis', options.name);
  await mkdir(folder, { recursive: true });
  const args = [
    '--config-file',
    join(SETTINGS, 'schemathesis.toml'),
    'run',
    options.schema,
    '--seed',
    String(options.seed),
    '--max-examples',
    String(options.maxExamples),
    '--no-color',
    ...(options.baseUrl ? ['--url', options.baseUrl] : []),
    ...(options.includePath
      ? ['--include-path-regex', options.includePath]
      : []),
    ...(options.phases ? ['--phases', options.phases.join(',')] : []),
  ];
  const env = {
    ...process.env,
    ...options.env,
    SCHEMATHESIS_HOOKS: join(SETTINGS, 'hooks.py'),
  };
  const { code, output } = await run(command, args, {
    cwd: folder,
    env,
    maxBuffer: 64 * 1024 * 1024,
    timeout: 300_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: error.code ?? -1,
      output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
    }),
  );
  await writeFile(join(folder, 'output.txt'), output);
  const lines = output.trimEnd().split('\n');
  return {
    passed: code === 0,
    output,
    summary: lines.at(-1)?.replace(/=/g, '').trim() ?? '',
    folder,
  };
}
