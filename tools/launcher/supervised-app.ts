import type { AppProcess, ExitStatus } from './app-process.js';

export interface RestartPolicy {
  /** Delay before the first restart; doubled after each crash up to `maxDelayMs`. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** A run that stayed up this long was sound: the next crash waits `firstDelayMs` again. */
  stableAfterMs: number;
  /** Runs in a row that end before they serve, after which the app is given up. */
  maxStartFailures: number;
}

/** Like compose's `restart: unless-stopped`, with its exponential backoff. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  firstDelayMs: 1000,
  maxDelayMs: 30_000,
  stableAfterMs: 60_000,
  maxStartFailures: 3,
};

const describeExit = ({ code, signal }: ExitStatus) => signal ?? `code ${code}`;

/**
 * One app kept running by `npm start`: a run that ends unexpectedly is started again after a
 * delay that grows while the app keeps crashing, and the app is given up (`givenUp` resolves with
 * the reason) when it keeps ending before it serves, since another run would end the same way.
 */
export class SupervisedApp {
  private run: AppProcess;
  private stopping = false;
  private delayMs: number;
  private startFailures = 0;
  private restartTimer?: NodeJS.Timeout;
  private readonly firstUp: Promise<void>;
  private markUp!: () => void;
  private giveUp!: (reason: string) => void;
  /** Resolves, with why, once the app keeps crashing before it serves. */
  readonly givenUp = new Promise<string>((resolve) => (this.giveUp = resolve));

  constructor(
    readonly app: string,
    private readonly spawn: () => AppProcess,
    private readonly say: (message: string) => void,
    private readonly policy: RestartPolicy = DEFAULT_RESTART_POLICY,
  ) {
    this.delayMs = policy.firstDelayMs;
    this.firstUp = new Promise((resolve) => (this.markUp = resolve));
    this.run = this.launch(false);
  }

  /** Resolves once a run of the app serves for the first time. */
  get up(): Promise<void> {
    return this.firstUp;
  }

  /** Stops the current run for good (no restart after it). */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    await this.run.stop();
  }

  killNow(): void {
    this.stopping = true;
    this.run.killNow();
  }

  private launch(restarted: boolean): AppProcess {
    const run = this.spawn();
    const startedAt = Date.now();
    let serving = false;
    run.waitUntilHealthy().then(
      () => {
        serving = true;
        this.startFailures = 0;
        this.markUp();
        if (restarted) this.say(`${this.app} is up again (pid ${run.pid})`);
      },
      () => undefined, // the exit below says what happened
    );
    void run.exited.then((status) => {
      if (this.stopping) return;
      if (!serving) this.startFailures++;
      if (this.startFailures >= this.policy.maxStartFailures) {
        this.giveUp(
          `${this.app} ended ${this.startFailures} times in a row before it served (last: ${describeExit(status)}); its output above says why`,
        );
        return;
      }
      if (serving && Date.now() - startedAt >= this.policy.stableAfterMs) {
        this.delayMs = this.policy.firstDelayMs;
      }
      this.say(
        `${this.app} exited unexpectedly (${describeExit(status)}); restarting it in ${this.delayMs / 1000} s`,
      );
      this.restartTimer = setTimeout(() => {
        if (!this.stopping) this.run = this.launch(true);
      }, this.delayMs);
      this.delayMs = Math.min(this.delayMs * 2, this.policy.maxDelayMs);
    });
    this.say(`${this.app} started (pid ${run.pid})`);
    return run;
  }
}
