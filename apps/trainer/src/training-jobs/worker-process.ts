import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Subject } from 'rxjs';
import type { WorkerMessage, WorkerTask } from './worker/worker-protocol.js';

const WORKER_ENTRY = fileURLToPath(
  new URL('./worker/training-worker.js', import.meta.url),
);

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

  constructor(task: WorkerTask) {
    this.child = fork(WORKER_ENTRY, [], {
      serialization: 'advanced',
      // TensorFlow's C++ start-up notices would interleave with the trainer's JSON log lines.
      env: { TF_CPP_MIN_LOG_LEVEL: '2', ...process.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
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
    return this.child.exitCode === null && this.child.signalCode === null;
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
