import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ModelArtifacts } from '#fmnist';
import { workerEnvironment } from '../training-jobs/worker-process.js';
import type {
  ReplayAnswer,
  ReplayCommand,
  StreamedValue,
} from './worker/replay-protocol.js';

const WORKER_ENTRY = fileURLToPath(
  new URL('./worker/replay-worker.js', import.meta.url),
);

type Labels = Extract<ReplayAnswer, { type: 'labels' }>;

/**
 * A replay's model in a child process at the lowest scheduling priority: its inference yields
 * the cores to live traffic, stays out of the trainer's event loop, and a cancelled replay is
 * ended by killing it. Like a training worker, it sees none of the trainer's secrets: the
 * trainer reads Kafka and hands it images.
 */
export class ReplayWorkerProcess {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<
    number | 'ready',
    { resolve: (answer: ReplayAnswer) => void; reject: (error: Error) => void }
  >();
  private nextId = 0;
  private ended?: Error;

  constructor() {
    this.child = fork(WORKER_ENTRY, [], {
      serialization: 'advanced',
      env: workerEnvironment(process.env),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('error', (error: NodeJS.ErrnoException) =>
      this.end(
        new Error(
          `the replay worker could not start (${error.code ?? error.message})`,
        ),
      ),
    );
    this.child.on('message', (answer: ReplayAnswer) => {
      if (answer.type === 'failed') {
        return this.end(new Error(`the replay worker failed: ${answer.error}`));
      }
      const key = answer.type === 'ready' ? 'ready' : answer.id;
      this.waiting.get(key)?.resolve(answer);
      this.waiting.delete(key);
    });
    this.child.once('exit', (code, signal) =>
      this.end(
        new Error(`the replay worker exited (${signal ?? `code ${code}`})`),
      ),
    );
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves once the worker holds the model. */
  async load(artifacts: ModelArtifacts, batchSize: number): Promise<void> {
    await this.ask('ready', { type: 'model', artifacts, batchSize });
  }

  /** The class of each of `count` images (784 bytes each), and the model calls it took. */
  async classify(images: Uint8Array, count: number): Promise<Labels> {
    const id = this.nextId++;
    return (await this.ask(id, {
      type: 'chunk',
      id,
      images,
      count,
    })) as Labels;
  }

  /** The class of each streamed value (UNDECODABLE for one it cannot decode), and the model calls. */
  async classifyValues(values: StreamedValue[]): Promise<Labels> {
    const id = this.nextId++;
    return (await this.ask(id, { type: 'values', id, values })) as Labels;
  }

  /** Resolves once the process is gone. */
  kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return Promise.resolve();
    }
    const exited = new Promise<void>((resolve) =>
      this.child.once('exit', () => resolve()),
    );
    this.child.kill('SIGKILL');
    return exited;
  }

  private ask(
    key: number | 'ready',
    command: ReplayCommand,
  ): Promise<ReplayAnswer> {
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => {
      this.waiting.set(key, { resolve, reject });
      this.child.send(command);
    });
  }

  private end(error: Error): void {
    this.ended ??= error;
    for (const { reject } of this.waiting.values()) reject(this.ended);
    this.waiting.clear();
  }
}
