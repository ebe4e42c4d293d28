import {
  BadRequestException,
  Injectable,
  Logger,
  NotFoundException,
  ServiceUnavailableException,
  type OnModuleDestroy,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Kafka } from 'kafkajs';
import { AsyncResource } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Observable } from 'rxjs';
import { Topics } from '#fmnist';
import { ModelRegistryService } from '#model-registry';
import { appKafkaConfig, readTopicRanges, RunEventStreams } from '#platform';
import type { TrainerEnvironment } from '../config/trainer.environment.js';
import type { CreateReplayDto } from './dto/create-replay.dto.js';
import {
  readServedAnswers,
  REPLAY_GROUP_PREFIX,
  resolveRange,
  type ResolvedRange,
  type ServedAnswer,
} from './recorded-traffic.js';
import {
  FINISHED_REPLAY_STATES,
  replayStateEvent,
  type Replay,
  type ReplayEvent,
  type ReplayState,
} from './replay.js';
import { recordedKind, type RecordedKind } from './recorded-kinds.js';
import { ReplayTally } from './replay-tally.js';
import { ReplayWorkerProcess } from './replay-worker-process.js';

/** Replays waiting at most; beyond, a new one is refused with 503. */
export const MAX_QUEUED_REPLAYS = 10;
/** Finished replays remembered (in memory), the newest. */
export const KEEP_FINISHED_REPLAYS = 50;
/** Progress events at most this often. */
const PROGRESS_INTERVAL_MS = 250;
const DEFAULT_BATCH_SIZE = 64;
const PLATFORM_TOPICS = new Set<string>(Object.values(Topics));
/** The platform's topics that are no recording of inputs: a replay refuses to read them. */
const NOT_RECORDINGS = new Set<string>(
  [...PLATFORM_TOPICS].filter(
    (topic) => topic !== Topics.images && topic !== Topics.ingest,
  ),
);

/**
 * Replays of recorded traffic through a chosen model version, one at a time: the inputs of a
 * range of `fashion-images` (or of a streaming input topic) are read with what was answered
 * (`RecordedKind`), classified again by the version in a low-priority worker process, and
 * compared with those answers.
 */
@Injectable()
export class ReplaysService implements OnModuleDestroy {
  private readonly logger = new Logger(ReplaysService.name);
  private readonly replays = new Map<string, Replay>();
  private readonly queue: string[] = [];
  private readonly events = new RunEventStreams<ReplayEvent>(
    (event) =>
      event.type === 'state' && FINISHED_REPLAY_STATES.includes(event.state),
  );
  private readonly kafka: Kafka;
  private running?: RunningReplay;
  /** Runs started from here do not inherit the async context of the POST that queued them. */
  private readonly detached = new AsyncResource('replays');

  constructor(
    private readonly registry: ModelRegistryService,
    config: ConfigService<TrainerEnvironment, true>,
  ) {
    this.kafka = new Kafka(appKafkaConfig(config, 'replays'));
  }

  async onModuleDestroy(): Promise<void> {
    this.queue.length = 0;
    if (this.running) await this.stop(this.running.id);
    this.events.complete();
  }

  list(): Replay[] {
    return [...this.replays.values()].reverse();
  }

  get(id: string): Replay {
    const replay = this.replays.get(id);
    if (!replay) throw new NotFoundException(`replay ${id} not found`);
    return replay;
  }

  submit(request: CreateReplayDto): Replay {
    const model = { name: request.model.name, version: request.model.version };
    if (!this.registry.find(model)) {
      throw new NotFoundException(
        `model ${model.name} version ${model.version} not found`,
      );
    }
    if (this.queue.length >= MAX_QUEUED_REPLAYS) {
      throw new ServiceUnavailableException(
        `${MAX_QUEUED_REPLAYS} replays are waiting already: retry once some have run`,
      );
    }
    const {
      topic = Topics.images,
      predictions,
      last,
      from,
      to,
    } = request.source;
    if (NOT_RECORDINGS.has(topic)) {
      throw new BadRequestException([
        `topic ${topic} holds no recorded inputs: name fashion-images or a streaming input topic`,
      ]);
    }
    if (
      predictions !== undefined &&
      predictions !== Topics.predictions &&
      PLATFORM_TOPICS.has(predictions)
    ) {
      throw new BadRequestException([
        `predictions ${predictions} holds no predictions of a streaming path`,
      ]);
    }
    const replay: Replay = {
      id: randomUUID(),
      state: 'queued',
      model,
      source: {
        topic,
        predictions:
          topic === Topics.images
            ? undefined
            : (predictions ?? Topics.predictions),
        last,
        from,
        to,
      },
      batchSize: request.batchSize ?? DEFAULT_BATCH_SIZE,
      createdAt: new Date().toISOString(),
    };
    this.replays.set(replay.id, replay);
    this.queue.push(replay.id);
    this.emit(replay, replayStateEvent(replay));
    this.pump();
    return replay;
  }

  /** Cancels a queued or running replay; a finished one is returned as it is. */
  async cancel(id: string): Promise<Replay> {
    const replay = this.get(id);
    if (replay.state === 'queued') {
      this.queue.splice(this.queue.indexOf(id), 1);
      this.finish(replay, 'cancelled');
    } else if (this.running?.id === id) {
      await this.stop(id);
    }
    return replay;
  }

  /** The replay's events from now on, after its state; completes when it ends. */
  eventsOf(id: string): Observable<ReplayEvent> {
    return this.events.of(id, replayStateEvent(this.get(id)));
  }

  private pump(): void {
    if (this.running || this.queue.length === 0) return;
    const replay = this.get(this.queue.shift()!);
    const abort = new AbortController();
    const running: RunningReplay = {
      id: replay.id,
      abort,
      done: Promise.resolve(),
    };
    this.running = running;
    running.done = this.detached
      .runInAsyncScope(() => this.run(replay, running))
      .finally(() => {
        this.running = undefined;
        this.pump();
      });
  }

  /** Ends the running replay `id`: its reading stops and its worker is killed. */
  private async stop(id: string): Promise<void> {
    const running = this.running;
    if (running?.id !== id) return;
    running.abort.abort();
    await running.worker?.kill();
    await running.done;
  }

  private async run(replay: Replay, running: RunningReplay): Promise<void> {
    const { signal } = running.abort;
    Object.assign(replay, { state: 'running', startedAt: now() });
    this.emit(replay, replayStateEvent(replay));
    const admin = this.kafka.admin();
    try {
      // Rejects, saying so, when the version was retired meanwhile.
      const record = await this.registry.loadRecord(replay.model);
      const worker = new ReplayWorkerProcess();
      running.worker = worker;
      await admin.connect();
      const [range] = await Promise.all([
        resolveRange(this.kafka, admin, replay.source, signal),
        worker.load(record.artifacts, replay.batchSize),
      ]);
      const kind = recordedKind(replay.source);
      const answers = await readServedAnswers(
        this.kafka,
        admin,
        kind.answersTopic,
        range.sinceMs,
        kind.parseAnswer,
        signal,
      );
      const tally = await this.compare(
        replay,
        kind,
        range,
        answers,
        worker,
        signal,
      );
      if (signal.aborted) return this.finish(replay, 'cancelled');
      replay.report = tally.report(range.partitions);
      this.finish(replay, 'succeeded');
    } catch (error) {
      if (signal.aborted) return this.finish(replay, 'cancelled');
      this.finish(replay, 'failed', (error as Error).message);
    } finally {
      await running.worker?.kill();
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** Reads the range, classifies each answered input again, tallies the answers. */
  private async compare(
    replay: Replay,
    kind: RecordedKind,
    range: ResolvedRange,
    answers: Map<string, ServedAnswer>,
    worker: ReplayWorkerProcess,
    signal: AbortSignal,
  ): Promise<ReplayTally> {
    const tally = new ReplayTally();
    const progress = { read: 0, total: range.total, compared: 0 };
    replay.progress = progress;
    let reportedAt = 0;
    await readTopicRanges(
      this.kafka,
      replay.source.topic,
      range.partitions,
      async (messages) => {
        progress.read += messages.length;
        await kind.replay(messages, range, answers, tally, worker);
        progress.compared = tally.compared;
        if (Date.now() - reportedAt >= PROGRESS_INTERVAL_MS) {
          reportedAt = Date.now();
          this.emit(replay, { type: 'progress', ...progress });
        }
      },
      { groupPrefix: REPLAY_GROUP_PREFIX, signal },
    );
    this.emit(replay, { type: 'progress', ...progress });
    return tally;
  }

  private finish(replay: Replay, state: ReplayState, error?: string): void {
    Object.assign(replay, { state, error, finishedAt: now() });
    const summary = replay.report
      ? `: agreement ${(replay.report.agreement * 100).toFixed(2)}% on ${replay.report.compared} images`
      : error
        ? `: ${error}`
        : '';
    this.logger[state === 'failed' ? 'error' : 'log'](
      { replayId: replay.id, state, model: replay.model, error },
      `replay ${replay.id} ${state}${summary}`,
    );
    this.forgetOld();
    this.emit(replay, replayStateEvent(replay));
  }

  private forgetOld(): void {
    const finished = [...this.replays.values()].filter((replay) =>
      FINISHED_REPLAY_STATES.includes(replay.state),
    );
    for (const replay of finished.slice(
      0,
      Math.max(0, finished.length - KEEP_FINISHED_REPLAYS),
    )) {
      this.replays.delete(replay.id);
    }
  }

  private emit(replay: Replay, event: ReplayEvent): void {
    this.events.emit(replay.id, event);
  }
}

interface RunningReplay {
  id: string;
  abort: AbortController;
  worker?: ReplayWorkerProcess;
  done: Promise<void>;
}

function now(): string {
  return new Date().toISOString();
}
