import {
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import kafkajs, {
  Kafka,
  type Consumer,
  type KafkaMessage,
  type Producer,
} from 'kafkajs';
import { filter, firstValueFrom, Subject } from 'rxjs';
import {
  ACTIVE_MODEL_KEY,
  ActiveModelSchema,
  ModelRecordSchema,
  modelRecordKey,
  Topics,
  type ActiveModel,
  type ModelRecord,
  type ModelRef,
  type ModelSummary,
} from '#fmnist';
import {
  kafkaClientConfig,
  kafkaConnection,
  restartAfterFatalCrash,
  withTimeout,
  type PlatformEnvironment,
} from '#platform';
import type { ModelDto } from './model.dto.js';

export type RegistryChange =
  | { kind: 'published'; model: ModelSummary }
  | { kind: 'promoted'; active: ActiveModel };

const { CompressionTypes, Partitioners } = kafkajs;
const CATCH_UP_TIMEOUT_MS = 30_000;
const ECHO_TIMEOUT_MS = 15_000;

/**
 * Every app's view of the model registry: it reads the compacted `fashion-models` topic from the
 * start (in a consumer group of its own, so each process sees every record) and then follows it,
 * so a model published or promoted anywhere reaches every running process without a restart.
 */
@Injectable()
export class ModelRegistryService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ModelRegistryService.name);
  private readonly kafka: Kafka;
  private readonly records = new Map<string, ModelRecord>();
  private activeModel?: ActiveModel;
  private consumer?: Consumer;
  private producer?: Producer;
  private stopRestarting?: () => void;
  private readonly changesSubject = new Subject<RegistryChange>();
  /** Published and promoted models, in topic order, after the initial catch-up. */
  readonly changes = this.changesSubject.asObservable();

  constructor(config: ConfigService<PlatformEnvironment, true>) {
    const prefix = config.get('KAFKA_CLIENT_ID_PREFIX', { infer: true });
    this.kafka = new Kafka(
      kafkaClientConfig(kafkaConnection(config), `${prefix}-registry`),
    );
  }

  async onModuleInit(): Promise<void> {
    const highWatermarks = await this.highWatermarks();
    this.consumer = this.kafka.consumer({
      groupId: `fashion-registry-${randomUUID()}`,
      // Records carry weights; a fetch must be able to hold the largest one.
      maxBytesPerPartition: 64 * 1024 * 1024,
      maxBytes: 128 * 1024 * 1024,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({
      topic: Topics.models,
      fromBeginning: true,
    });

    let caughtUp: () => void;
    const isCaughtUp = new Promise<void>((resolve) => (caughtUp = resolve));
    const pending = new Map(highWatermarks);
    const checkCaughtUp = () => {
      if ([...pending.values()].every((remaining) => remaining <= 0))
        caughtUp();
    };
    checkCaughtUp();

    const consumer = this.consumer;
    const run = () =>
      consumer.run({
        eachMessage: ({ partition, message }) => {
          this.apply(message);
          const target = highWatermarks.get(partition) ?? 0;
          pending.set(partition, target - (Number(message.offset) + 1));
          checkCaughtUp();
          return Promise.resolve();
        },
      });
    // Runs again from the group's committed offset: what was published meanwhile is read then.
    this.stopRestarting = restartAfterFatalCrash(consumer, run, this.logger);
    await run();
    await withTimeout(
      isCaughtUp,
      CATCH_UP_TIMEOUT_MS,
      `reading the model registry took longer than ${CATCH_UP_TIMEOUT_MS} ms`,
    );
    this.logger.log(
      `model registry loaded: ${this.records.size} versions, active ${this.describe(this.activeModel)}`,
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.stopRestarting?.();
    await Promise.all([
      this.consumer?.disconnect(),
      this.producer?.disconnect(),
    ]);
  }

  get active(): ActiveModel | undefined {
    return this.activeModel;
  }

  isActive(ref: ModelRef): boolean {
    return (
      this.activeModel?.name === ref.name &&
      this.activeModel.version === ref.version
    );
  }

  find(ref: ModelRef): ModelRecord | undefined {
    return this.records.get(modelRecordKey(ref));
  }

  /** The newest version of a model name, for requests that name a model but no version. */
  latest(name: string): ModelRecord | undefined {
    return this.list()
      .filter((model) => model.name === name)
      .map((model) => this.find(model))
      .at(-1);
  }

  /** Every version known, as the HTTP APIs list them: without weights, the active one marked. */
  describeAll(): ModelDto[] {
    return this.list().map((model) => ({
      ...model,
      active: this.isActive(model),
    }));
  }

  /** Every version known, without weights, ordered by name then version. */
  list(): ModelSummary[] {
    return [...this.records.values()]
      .map(({ artifacts, ...summary }) => summary)
      .sort((a, b) => a.name.localeCompare(b.name) || a.version - b.version);
  }

  /** Appends a model version to the registry; resolves once this process's view has it. */
  async publish(record: ModelRecord): Promise<void> {
    const key = modelRecordKey(record);
    await this.sendAndSee(
      key,
      ModelRecordSchema.parse(record),
      (change) =>
        change.kind === 'published' && modelRecordKey(change.model) === key,
    );
  }

  /** Makes a published version the one served by default; resolves once this process sees it. */
  async promote(ref: ModelRef): Promise<ActiveModel> {
    if (!this.find(ref)) {
      throw new Error(
        `model ${ref.name} version ${ref.version} is not in the registry`,
      );
    }
    const active: ActiveModel = {
      name: ref.name,
      version: ref.version,
      promotedAt: new Date().toISOString(),
    };
    await this.sendAndSee(
      ACTIVE_MODEL_KEY,
      active,
      (change) =>
        change.kind === 'promoted' &&
        change.active.promotedAt === active.promotedAt,
    );
    return active;
  }

  /** Read-your-writes: callers act on the registry right after changing it. */
  private async sendAndSee(
    key: string,
    value: unknown,
    isEcho: (change: RegistryChange) => boolean,
  ): Promise<void> {
    const echo = firstValueFrom(this.changes.pipe(filter(isEcho)));
    await this.send(key, value);
    await withTimeout(
      echo,
      ECHO_TIMEOUT_MS,
      `the registry did not echo ${key} within ${ECHO_TIMEOUT_MS} ms`,
    );
  }

  private async send(key: string, value: unknown): Promise<void> {
    if (!this.producer) {
      this.producer = this.kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await this.producer.connect();
    }
    await this.producer.send({
      topic: Topics.models,
      compression: CompressionTypes.GZIP,
      messages: [{ key, value: JSON.stringify(value) }],
    });
  }

  private apply(message: KafkaMessage): void {
    const key = message.key?.toString();
    if (!key || !message.value) return;
    try {
      const value: unknown = JSON.parse(message.value.toString());
      if (key === ACTIVE_MODEL_KEY) {
        this.activeModel = ActiveModelSchema.parse(value);
        this.changesSubject.next({
          kind: 'promoted',
          active: this.activeModel,
        });
      } else {
        const record = ModelRecordSchema.parse(value);
        this.records.set(modelRecordKey(record), record);
        const { artifacts, ...model } = record;
        this.changesSubject.next({ kind: 'published', model });
      }
    } catch (error) {
      // One bad record must not stop a process from following the rest of the registry.
      this.logger.warn(`skipping registry record ${key}: ${String(error)}`);
    }
  }

  private async highWatermarks(): Promise<Map<number, number>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(Topics.models);
      return new Map(
        offsets.map((entry) => [entry.partition, Number(entry.high)]),
      );
    } finally {
      await admin.disconnect();
    }
  }

  private describe(ref?: ModelRef): string {
    return ref ? `${ref.name} v${ref.version}` : 'none';
  }
}
