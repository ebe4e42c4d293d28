import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export type AppName = 'gateway' | 'classifier' | 'trainer';

export interface AppProcessOptions {
  app: AppName;
  /** The port the app's HTTP side listens on (health, API). */
  port: number;
  env: NodeJS.ProcessEnv;
  /** Where the app's stdout and stderr go: inherited by default, or collected in memory. */
  output?: 'inherit' | 'capture';
  readyTimeoutMs?: number;
}

const projectRoot = new URL('../../../', import.meta.url).pathname;

/** The compiled entry point of an app, relative to the project root (docker-compose.yml too). */
export function appEntryPoint(app: AppName): string {
  return `dist/apps/${app}/src/main.js`;
}

/**
 * One app run exactly as `npm start` runs it (`node dist/apps/<app>/src/main.js`), in its own
 * process group so that a terminal's Ctrl-C reaches only the launcher, which then stops the apps
 * before the broker they depend on.
 */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class AppProcess {
  private readonly lines: string[] = [];
  private readonly exit: Promise<ExitStatus>;

  private constructor(
    readonly app: AppName,
    readonly url: string,
    private readonly child: ChildProcess,
  ) {
    this.exit = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  /** Spawns the app and waits until it answers `/health`. */
  static async start(options: AppProcessOptions): Promise<AppProcess> {
    const app = AppProcess.spawn(options);
    await app.waitUntilHealthy(options.readyTimeoutMs);
    return app;
  }

  /** Spawns the app without waiting; `waitUntilHealthy` tells when it serves. */
  static spawn(options: AppProcessOptions): AppProcess {
    const capture = options.output === 'capture';
    const child = spawn(
      process.execPath,
      [join(projectRoot, appEntryPoint(options.app))],
      {
        env: options.env,
        detached: true,
        stdio: [
          'ignore',
          capture ? 'pipe' : 'inherit',
          capture ? 'pipe' : 'inherit',
        ],
      },
    );
    const app = new AppProcess(
      options.app,
      `http://127.0.0.1:${options.port}`,
      child,
    );
    if (capture) {
      child.stdout
        ?.setEncoding('utf8')
        .on('data', (chunk: string) => app.collect(chunk));
      child.stderr
        ?.setEncoding('utf8')
        .on('data', (chunk: string) => app.collect(chunk));
    }
    return app;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Lines written so far (only with `output: 'capture'`). */
  get output(): readonly string[] {
    return this.lines;
  }

  /** Resolves when the process has ended, however it ended. */
  get exited(): Promise<ExitStatus> {
    return this.exit;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Asks for a graceful shutdown (SIGTERM, which Nest's shutdown hooks handle and then re-raise)
   * and resolves with how the process ended; SIGKILLs it if that hangs.
   */
  async stop(timeoutMs = 20_000): Promise<ExitStatus> {
    if (this.running) {
      this.child.kill('SIGTERM');
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const status = await this.exit;
    clearTimeout(timer);
    return status;
  }

  /** Last-resort synchronous kill, for process exit handlers. */
  killNow(): void {
    if (this.running) this.child.kill('SIGKILL');
  }

  private collect(chunk: string): void {
    this.lines.push(...chunk.split('\n').filter(Boolean));
  }

  async waitUntilHealthy(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) {
        throw new Error(
          `${this.app} exited during start-up:\n${this.lines.slice(-20).join('\n')}`,
        );
      }
      try {
        const response = await fetch(`${this.url}/health`, {
          signal: AbortSignal.timeout(1000),
        });
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    this.killNow();
    throw new Error(
      `${this.app} did not become healthy within ${timeoutMs} ms`,
    );
  }
}
