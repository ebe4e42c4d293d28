import { fork, type ChildProcess, type ForkOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Subject } from 'rxjs';
import type { WorkerMessage, WorkerTask } from './worker/worker-protocol.js';

const WORKER_ENTRY = fileURLToPath(
  new URL('./worker/training-worker.js', import.meta.url),
);

/**
 * What the worker may see of the trainer's environment: how to run (paths, locale, Node's and
 * TensorFlow's tuning), never its secrets (TRAINER_API_KEY, Kafka's credentials). The task carries
 * everything else it needs.
 */
const WORKER_VARIABLES =
  /^(PATH|HOME|TMPDIR|TZ|LANG|LC_\w+|NODE_OPTIONS|LD_LIBRARY_PATH|TF_\w+|OMP_\w+)$/;

export function workerEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    // TensorFlow's C++ start-up notices would interleave with the trainer's JSON log lines.
    TF_CPP_MIN_LOG_LEVEL: '2',
    ...Object.fromEntries(
      Object.entries(env).filter(([name]) => WORKER_VARIABLES.test(name)),
    ),
  };
}

export type ForkWorker = (entry: string, options: ForkOptions) => ChildProcess;

/**
 * One training in a child process of its own: TensorFlow's work and memory stay out of the HTTP
 * process, and cancelling is killing the child, which frees everything at once.
 */
export class WorkerProcess {
  private readonly child: ChildProcess;
  private readonly subject = new Subject<WorkerMessage>();
  /**
   * The worker's messages; completes when the process exits after its verdict (done or failed),
   * errors when it exits without one (crashed, killed).
   */
  readonly messages = this.subject.asObservable();

  /**
   * Throws when the process cannot be created at all (some errors of fork are synchronous); one
   * that fails to start asynchronously (EAGAIN, ENOMEM, ENOENT) errors `messages` instead.
   */
  constructor(
    task: WorkerTask,
    forkWorker: ForkWorker = (entry, options) => fork(entry, [], options),
  ) {
    this.child = forkWorker(WORKER_ENTRY, {
      serialization: 'advanced',
      env: workerEnvironment(process.env),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    // Without a listener, a failed start would be an uncaught error that ends the trainer.
    this.child.on('error', (error: NodeJS.ErrnoException) =>
      this.subject.error(
        new Error(
          `the training worker could not start (${error.code ?? error.message})`,
        ),
      ),
    );
    let verdict = false;
    this.child.on('message', (message: WorkerMessage) => {
      if (message.type === 'done' || message.type === 'failed') verdict = true;
      this.subject.next(message);
    });
    this.child.once('exit', (code, signal) => {
      if (verdict) this.subject.complete();
      else
        this.subject.error(
          new Error(`the training worker exited (${signal ?? `code ${code}`})`),
        );
    });
    this.child.send(task);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    // A process that failed to start has no pid, and never exits.
    return (
      this.child.pid !== undefined &&
      this.child.exitCode === null &&
      this.child.signalCode === null
    );
  }

  /** Ends the training now; resolves once the process is gone (reaped, so its pid is free). */
  kill(): Promise<void> {
    if (!this.running) return Promise.resolve();
    const exited = new Promise<void>((resolve) =>
      this.child.once('exit', () => resolve()),
    );
    this.child.kill('SIGKILL');
    return exited;
  }
}
