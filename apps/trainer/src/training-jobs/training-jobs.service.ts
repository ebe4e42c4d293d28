import {
  BadRequestException,
  ConflictException,
  Injectable,
  Logger,
  NotFoundException,
  ServiceUnavailableException,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AsyncResource } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { lastValueFrom, tap, type Observable } from 'rxjs';
import { RunEventStreams } from '#platform';
import type { TrainerEnvironment } from '../config/trainer.environment.js';
import { ModelReleasesService } from '../models/model-releases.service.js';
import type { CreateTrainingJobDto } from './dto/create-training-job.dto.js';
import { stateEvent, type JobEvent } from './job-event.js';
import { expiredJobs, type RetentionLimits } from './job-retention.js';
import { JobStore } from './job-store.js';
import {
  FINISHED_STATES,
  type EpochMetrics,
  type JobState,
  type TrainingJob,
  type TrainingParameters,
} from './training-job.js';
import { trainingParameters, workerTask } from './training-parameters.js';
import type { WorkerMessage, WorkerTask } from './worker/worker-protocol.js';
import { WorkerProcess } from './worker-process.js';

export const INTERRUPTED = 'interrupted by a trainer restart';

type Done = Extract<WorkerMessage, { type: 'done' }>;

/**
 * The job queue: jobs run in worker processes, at most TRAINER_CONCURRENCY at once, in the order
 * they were submitted. Every change is kept in the job store and streamed to event subscribers.
 */
@Injectable()
export class TrainingJobsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(TrainingJobsService.name);
  private readonly jobs = new Map<string, TrainingJob>();
  private readonly queue: string[] = [];
  /** What each queued job's worker will be given, its folder resolved when it was submitted. */
  private readonly tasks = new Map<string, WorkerTask>();
  private readonly workers = new Map<string, WorkerProcess>();
  private readonly runs = new Map<string, Promise<void>>();
  /** Why a running job's worker was ended on purpose: the outcome the job gets instead. */
  private readonly endings = new Map<
    string,
    { state: JobState; error?: string }
  >();
  /** Jobs whose model is being published: past the point where a cancel could undo them. */
  private readonly publishing = new Set<string>();
  private readonly events = new RunEventStreams<JobEvent>(
    (event) => event.type === 'state' && FINISHED_STATES.includes(event.state),
  );
  private stopping = false;
  /**
   * Created outside any request: runs started from it do not inherit the async context (and so
   * the request logger bindings) of the POST that happened to queue them.
   */
  private readonly detached = new AsyncResource('training-jobs');

  constructor(
    private readonly config: ConfigService<TrainerEnvironment, true>,
    private readonly store: JobStore,
    private readonly releases: ModelReleasesService,
  ) {}

  async onModuleInit(): Promise<void> {
    const stored = await this.store.load();
    const interrupted = stored.filter(
      (job) => !FINISHED_STATES.includes(job.state),
    );
    for (const job of stored) this.jobs.set(job.id, job);
    const expired = this.forgetExpired();
    if (expired > 0) {
      this.logger.log(`${expired} expired job record(s) forgotten`);
    }
    for (const job of interrupted) {
      Object.assign(job, {
        state: 'failed',
        error: INTERRUPTED,
        finishedAt: new Date().toISOString(),
        workerPid: undefined,
        progress: undefined,
      });
    }
    if (interrupted.length > 0) {
      this.logger.warn(
        `${interrupted.length} job(s) marked failed: ${INTERRUPTED}`,
      );
    }
    if (interrupted.length > 0 || expired > 0) await this.persist();
    this.logger.log(`${this.jobs.size} job records in ${this.store.location}`);
  }

  /** Running workers end with the trainer; their records stay `running` until the next start. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.workers.values()].map((worker) => worker.kill()),
    );
    await this.store.save([...this.jobs.values()]);
    this.events.complete();
  }

  list(): TrainingJob[] {
    return [...this.jobs.values()].reverse();
  }

  get(id: string): TrainingJob {
    const job = this.jobs.get(id);
    if (!job) throw new NotFoundException(`training job ${id} not found`);
    return job;
  }

  /** Checks what only the server can check (limits, the folder), then queues the job. */
  async submit(
    request: CreateTrainingJobDto,
    origin: TrainingJob['origin'] = 'api',
  ): Promise<TrainingJob> {
    const parameters = trainingParameters(
      request,
      this.config.get('TRAINER_MODEL_NAME', { infer: true }),
    );
    const maxEpochs = this.config.get('TRAINER_MAX_EPOCHS', { infer: true });
    if (parameters.epochs > maxEpochs) {
      throw new BadRequestException([
        `epochs must not be greater than ${maxEpochs} (TRAINER_MAX_EPOCHS)`,
      ]);
    }
    const task = await workerTask(parameters, {
      fmnistDir: this.config.get('FMNIST_DIR', { infer: true }),
      dataRoot: this.config.get('TRAINER_DATA_ROOT', { infer: true }),
    });
    const maxQueued = this.config.get('TRAINER_MAX_QUEUED_JOBS', {
      infer: true,
    });
    if (this.queue.length >= maxQueued) {
      throw new ServiceUnavailableException(
        `the trainer already has ${maxQueued} jobs waiting (TRAINER_MAX_QUEUED_JOBS): retry once some have run, or cancel one`,
      );
    }
    const job: TrainingJob = {
      id: randomUUID(),
      state: 'queued',
      parameters,
      origin,
      createdAt: new Date().toISOString(),
      epochs: [],
    };
    this.jobs.set(job.id, job);
    this.queue.push(job.id);
    this.tasks.set(job.id, task);
    this.logger.log(
      { jobId: job.id, parameters },
      `job ${job.id} queued (${this.queue.length} waiting)`,
    );
    await this.persist();
    this.emit(job, stateEvent(job));
    this.pump();
    return job;
  }

  /**
   * Cancels a queued or running job; resolves once its worker is gone. Once its model is being
   * published the job can no longer be cancelled (409): the registry may already hold the version,
   * and a job that published a model has succeeded.
   */
  async cancel(id: string): Promise<TrainingJob> {
    const job = this.get(id);
    if (this.publishing.has(id)) {
      throw new ConflictException(
        `training job ${id} is publishing its model and can no longer be cancelled`,
      );
    }
    if (job.state === 'queued') {
      this.queue.splice(this.queue.indexOf(id), 1);
      this.tasks.delete(id);
      await this.finish(job, 'cancelled');
    } else if (job.state === 'running') {
      await this.end(id, { state: 'cancelled' });
      await this.runs.get(id);
    }
    return job;
  }

  /**
   * Forgets a finished job's record, as retention does once it is old; a queued or running job
   * must be cancelled first (409), so that removing a record never stops work by surprise.
   */
  async remove(id: string): Promise<void> {
    const job = this.get(id);
    if (!FINISHED_STATES.includes(job.state)) {
      throw new ConflictException(
        `training job ${id} is ${job.state}: cancel it (POST /v1/training-jobs/${id}/cancel) before removing its record`,
      );
    }
    this.jobs.delete(id);
    await this.persist();
  }

  /** The job's events from now on, after a snapshot of its state; completes when it ends. */
  eventsOf(id: string): Observable<JobEvent> {
    return this.events.of(id, stateEvent(this.get(id)));
  }

  private pump(): void {
    const concurrency = this.config.get('TRAINER_CONCURRENCY', { infer: true });
    while (
      !this.stopping &&
      this.runs.size < concurrency &&
      this.queue.length
    ) {
      const id = this.queue.shift()!;
      const job = this.get(id);
      const run = this.detached
        .runInAsyncScope(() => this.run(job))
        .finally(() => {
          this.runs.delete(id);
          this.pump();
        });
      this.runs.set(id, run);
    }
  }

  private async run(job: TrainingJob): Promise<void> {
    const task = this.tasks.get(job.id)!;
    this.tasks.delete(job.id);
    let worker: WorkerProcess;
    try {
      worker = new WorkerProcess(task);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      return this.finish(
        job,
        'failed',
        `the training worker could not start (${code})`,
      );
    }
    this.workers.set(job.id, worker);
    Object.assign(job, {
      state: 'running',
      startedAt: new Date().toISOString(),
      workerPid: worker.pid,
      timings: {},
    });
    this.logger.log(
      { jobId: job.id, workerPid: worker.pid },
      `job ${job.id} started in worker ${worker.pid}`,
    );
    // Not awaited: the worker's messages must be followed from the start, and persist never throws.
    void this.persist();
    this.emit(job, stateEvent(job));
    const limitS = this.config.get('TRAINER_JOB_TIME_LIMIT_S', { infer: true });
    const timer = setTimeout(
      () =>
        void this.end(job.id, {
          state: 'failed',
          error: `the job ran out of time: it may train for ${limitS} s at most (TRAINER_JOB_TIME_LIMIT_S)`,
        }),
      limitS * 1000,
    );
    try {
      const done = await this.follow(job, worker);
      clearTimeout(timer);
      if (this.stopping) return;
      const ending = this.endings.get(job.id);
      if (ending) return await this.finish(job, ending.state, ending.error);
      this.publishing.add(job.id);
      this.emit(job, { type: 'publishing' });
      await this.publish(job, done);
      await this.finish(job, 'succeeded');
    } catch (error) {
      if (this.stopping) return;
      const ending = this.endings.get(job.id);
      if (ending) return await this.finish(job, ending.state, ending.error);
      await this.finish(job, 'failed', (error as Error).message);
    } finally {
      clearTimeout(timer);
      this.workers.delete(job.id);
      this.endings.delete(job.id);
      this.publishing.delete(job.id);
    }
  }

  /** Kills a running job's worker, the job to end as `ending` says. */
  private async end(
    id: string,
    ending: { state: JobState; error?: string },
  ): Promise<void> {
    this.endings.set(id, ending);
    await this.workers.get(id)?.kill();
  }

  /** Applies the worker's progress to the job until its verdict, which it returns. */
  private async follow(job: TrainingJob, worker: WorkerProcess): Promise<Done> {
    let done: Done | undefined;
    await lastValueFrom(
      worker.messages.pipe(
        tap((message) => {
          if (message.type === 'done') done = message;
          else if (message.type === 'failed') {
            this.logger.error(
              { jobId: job.id, detail: message.detail },
              `job ${job.id}: the training worker failed: ${message.detail}`,
            );
            throw new Error(message.error);
          } else this.progress(job, message);
        }),
      ),
      { defaultValue: undefined },
    );
    if (!done) throw new Error('the training worker ended without a result');
    return done;
  }

  private progress(
    job: TrainingJob,
    message: Exclude<WorkerMessage, { type: 'done' | 'failed' }>,
  ): void {
    const epochs = job.parameters.epochs;
    switch (message.type) {
      case 'loaded':
        job.dataset = message.sizes;
        job.timings = { ...job.timings, loadMs: message.loadMs };
        this.emit(job, { type: 'loaded', ...message.sizes });
        break;
      case 'batch': {
        const { type: _type, ...progress } = message;
        job.progress = progress;
        this.emit(job, { ...message, epochs });
        break;
      }
      case 'epoch': {
        const { type: _type, ...metrics } = message;
        job.epochs.push(metrics);
        this.logger.log(
          { jobId: job.id, ...metrics, epochs },
          `job ${job.id} epoch ${metrics.epoch}/${epochs}: ${formatEpoch(metrics)}`,
        );
        void this.persist();
        this.emit(job, { ...message, epochs });
        break;
      }
      case 'evaluating':
        job.progress = undefined;
        this.emit(job, message);
        break;
    }
  }

  private async publish(job: TrainingJob, done: Done): Promise<void> {
    const { parameters } = job;
    const ref = await this.releases.release(
      {
        name: parameters.modelName,
        architecture: parameters.architecture,
        dataset: describeDataset(parameters),
        metrics: done.metrics,
        createdAt: new Date().toISOString(),
        jobId: job.id,
        artifacts: done.artifacts,
      },
      parameters.promote,
    );
    job.stoppedEarly = done.stoppedEarly;
    job.timings = {
      ...job.timings,
      trainMs: done.trainMs,
      evaluateMs: done.evaluateMs,
    };
    job.result = {
      model: ref,
      promoted: parameters.promote,
      metrics: done.metrics,
    };
  }

  private async finish(
    job: TrainingJob,
    state: JobState,
    error?: string,
  ): Promise<void> {
    const finishedAt = new Date();
    Object.assign(job, {
      state,
      error,
      finishedAt: finishedAt.toISOString(),
      workerPid: undefined,
      progress: undefined,
    });
    if (job.startedAt) {
      job.timings = {
        ...job.timings,
        totalMs: finishedAt.getTime() - Date.parse(job.startedAt),
      };
    }
    const summary =
      state === 'succeeded' && job.result
        ? `: ${job.result.model.name} v${job.result.model.version}, test accuracy ${job.result.metrics.accuracy.toFixed(4)}${job.result.promoted ? ', promoted' : ''}`
        : error
          ? `: ${error}`
          : '';
    this.logger[state === 'failed' ? 'error' : 'log'](
      { jobId: job.id, state, result: job.result?.model, error },
      `job ${job.id} ${state}${summary}`,
    );
    this.forgetExpired();
    await this.persist();
    this.emit(job, stateEvent(job));
  }

  /** Drops the records of finished jobs beyond the retention limits; returns how many. */
  private forgetExpired(): number {
    const expired = expiredJobs(this.jobs.values(), this.retention());
    for (const id of expired) this.jobs.delete(id);
    return expired.length;
  }

  private retention(): RetentionLimits {
    return {
      maxFinished: this.config.get('TRAINER_KEEP_FINISHED_JOBS', {
        infer: true,
      }),
      maxAgeMs:
        this.config.get('TRAINER_KEEP_FINISHED_DAYS', { infer: true }) *
        24 *
        3600 *
        1000,
    };
  }

  private emit(job: TrainingJob, event: JobEvent): void {
    this.events.emit(job.id, event);
  }

  private persist(): Promise<void> {
    return this.store.save([...this.jobs.values()]).catch((error: unknown) => {
      this.logger.error(`could not save the job records: ${String(error)}`);
    });
  }
}

function describeDataset({ dataset }: TrainingParameters): string {
  if (dataset.kind === 'folder') return `folder:${dataset.path}`;
  return dataset.trainLimit === undefined
    ? 'fmnist:train'
    : `fmnist:train (${dataset.trainLimit} images)`;
}

function formatEpoch(metrics: EpochMetrics): string {
  const parts = [
    `loss ${metrics.loss.toFixed(4)}`,
    `acc ${metrics.accuracy.toFixed(4)}`,
  ];
  if (metrics.valLoss !== undefined) {
    parts.push(`val_loss ${metrics.valLoss.toFixed(4)}`);
  }
  if (metrics.valAccuracy !== undefined) {
    parts.push(`val_acc ${metrics.valAccuracy.toFixed(4)}`);
  }
  return `${parts.join(' ')} (${(metrics.durationMs / 1000).toFixed(1)} s)`;
}
