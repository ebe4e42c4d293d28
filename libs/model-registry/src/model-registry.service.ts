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
  type Message,
  type Producer,
} from 'kafkajs';
import { filter, firstValueFrom, Subject } from 'rxjs';
import {
  ACTIVE_MODEL_KEY,
  ActiveModelSchema,
  ModelRecordSchema,
  modelRecordKey,
  publishedRecordKey,
  RegistryEntrySchema,
  Topics,
  weightsChecksum,
  type ActiveModel,
  type ModelRecord,
  type ModelRef,
  type ModelSummary,
  type ServingReport,
} from '#fmnist';
import {
  kafkaClientConfig,
  kafkaConnection,
  removeGroup,
  restartAfterFatalCrash,
  withTimeout,
  type PlatformEnvironment,
} from '#platform';
import type { ModelDto } from './model.dto.js';
import { RecordReader } from './record-reader.js';
import { RegistryRecords, type RegistryChange } from './registry-records.js';
import { ServingReports } from './serving-reports.js';
import { artifactsOf, weightsMessage } from './weights-record.js';

export type { RegistryChange } from './registry-records.js';

/** A draft of a version: the registry numbers it. */
export type ModelDraft = Omit<ModelRecord, 'version' | 'publishId'>;

const { CompressionTypes, Partitioners } = kafkajs;
const CATCH_UP_TIMEOUT_MS = 30_000;
const LEADER_ATTEMPTS = 10;
const ECHO_TIMEOUT_MS = 15_000;
/** Trainers racing for the next version of one name: each lost race costs one more try. */
const MAX_PUBLISH_ATTEMPTS = 10;
/** How many earlier active versions a promotion remembers, as fallbacks. */
const PROMOTION_HISTORY = 5;

/**
 * Every app's view of the model registry: it reads the compacted `fashion-models` topic from the
 * start and then follows it, so a model published or promoted anywhere reaches every running
 * process without a restart. That topic holds summaries and where each version's weights are;
 * the weights (`fashion-models.weights`) are read one version at a time, by `loadRecord`, only in
 * processes that load a version. Each process reads in a consumer group of its own (kafkajs reads
 * in no other way) that never commits an offset and is removed when the process stops.
 */
@Injectable()
export class ModelRegistryService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ModelRegistryService.name);
  private readonly kafka: Kafka;
  private readonly serving = new ServingReports();
  private readonly groupId = `fashion-registry-${randomUUID()}`;
  private readonly weights: RecordReader;
  private consumer?: Consumer;
  /** Connecting or connected: concurrent sends share one producer. */
  private producer?: Promise<Producer>;
  /** The offset read last per topic and partition: a consumer restarted without commits reads from the start again. */
  private readonly applied = new Map<string, bigint>();
  private stopRestarting?: () => void;
  private reportingAs?: string;
  private readonly changesSubject = new Subject<RegistryChange>();
  private readonly records = new RegistryRecords((change) =>
    this.changesSubject.next(change),
  );
  /** Published and promoted models, in topic order, after the initial catch-up. */
  readonly changes = this.changesSubject.asObservable();

  constructor(config: ConfigService<PlatformEnvironment, true>) {
    const prefix = config.get('KAFKA_CLIENT_ID_PREFIX', { infer: true });
    this.kafka = new Kafka(
      kafkaClientConfig(kafkaConnection(config), `${prefix}-registry`),
    );
    this.weights = new RecordReader(
      this.kafka,
      [Topics.modelWeights, Topics.models],
      this.logger,
    );
  }

  async onModuleInit(): Promise<void> {
    const highWatermarks = await this.highWatermarks();
    this.consumer = this.kafka.consumer({
      groupId: this.groupId,
      // Records written before weights had a topic of their own carry them: a fetch holds one.
      maxBytesPerPartition: 64 * 1024 * 1024,
      maxBytes: 128 * 1024 * 1024,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [Topics.models, Topics.modelsServing],
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
        autoCommit: false,
        eachMessage: ({ topic, partition, message }) => {
          if (!this.isNew(topic, partition, message)) return Promise.resolve();
          if (topic === Topics.modelsServing) {
            this.applyServingReport(message);
            return Promise.resolve();
          }
          this.apply(partition, message);
          const target = highWatermarks.get(partition) ?? 0;
          pending.set(partition, target - (Number(message.offset) + 1));
          checkCaughtUp();
          return Promise.resolve();
        },
      });
    // Runs again from the start (nothing committed); records read before are skipped.
    this.stopRestarting = restartAfterFatalCrash(consumer, run, this.logger);
    await run();
    await withTimeout(
      isCaughtUp,
      CATCH_UP_TIMEOUT_MS,
      `reading the model registry took longer than ${CATCH_UP_TIMEOUT_MS} ms`,
    );
    this.logger.log(
      `model registry loaded: ${this.records.size} versions, active ${this.describe(this.records.active)}`,
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.stopRestarting?.();
    if (this.reportingAs) {
      // A classifier that stops says so, rather than waiting to be counted as gone.
      await this.reportServing(this.reportingAs, null).catch(() => undefined);
    }
    await Promise.all([
      this.consumer
        ?.disconnect()
        .then(() => removeGroup(this.kafka, this.groupId, this.logger)),
      this.weights.close(),
      this.producer?.then(
        (producer) => producer.disconnect(),
        () => undefined,
      ),
    ]);
  }

  get active(): ActiveModel | undefined {
    return this.records.active;
  }

  isActive(ref: ModelRef): boolean {
    const active = this.records.active;
    return active?.name === ref.name && active.version === ref.version;
  }

  /** A version's summary: everything but its weights, which `loadRecord` reads. */
  find(ref: ModelRef): ModelSummary | undefined {
    return this.records.find(ref);
  }

  /**
   * A version with its weights, read from Kafka now (one version, nothing else): for processes
   * that load models. Rejects when the version or its weights are gone.
   */
  async loadRecord(ref: ModelRef): Promise<ModelRecord> {
    const summary = this.records.find(ref);
    const weights = this.records.weightsOf(ref);
    if (!summary || !weights) {
      throw new Error(
        `model ${ref.name} version ${ref.version} is not in the registry`,
      );
    }
    return {
      ...summary,
      artifacts: artifactsOf(await this.weights.read(weights)),
    };
  }

  /** The newest version of a model name, for requests that name a model but no version. */
  latest(name: string): ModelSummary | undefined {
    return this.list()
      .filter((model) => model.name === name)
      .map((model) => this.find(model))
      .at(-1);
  }

  /** Every version known, as the HTTP APIs list them: without weights, the active one marked. */
  describeAll(): ModelDto[] {
    return this.list().map((model) => this.describeOne(model));
  }

  /** One version as the HTTP APIs show it: the active one marked, how classifiers serve it. */
  describeOne(model: ModelSummary): ModelDto {
    return {
      ...model,
      active: this.isActive(model),
      classifiers: this.serving.of(model),
    };
  }

  /** What each classifier heard from lately serves, loaded and failed to load. */
  servingReports(): ServingReport[] {
    return this.serving.current();
  }

  /** Every version known, without weights, ordered by name then version. */
  list(): ModelSummary[] {
    return this.records
      .all()
      .sort((a, b) => a.name.localeCompare(b.name) || a.version - b.version);
  }

  /**
   * Appends a model version to the registry; resolves once this process's view has it, and
   * rejects when another writer had taken that version first.
   */
  async publish(record: ModelRecord): Promise<void> {
    if (!(await this.tryPublish(record))) {
      throw new Error(
        `model ${record.name} version ${record.version} was published by another writer first`,
      );
    }
  }

  /**
   * Publishes `draft` as the next version of its name, whatever the number of writers: a writer
   * whose record lost the version (another's came first in the topic) withdraws it and takes the
   * next number.
   */
  async publishNext(draft: ModelDraft): Promise<ModelRef> {
    for (let attempt = 1; ; attempt++) {
      const ref = {
        name: draft.name,
        version: this.records.nextVersion(draft.name),
      };
      if (await this.tryPublish({ ...draft, ...ref })) return ref;
      if (attempt === MAX_PUBLISH_ATTEMPTS) {
        throw new Error(
          `could not publish ${draft.name}: other writers took ${attempt} versions in a row`,
        );
      }
      this.logger.log(
        `${ref.name} v${ref.version} was taken by another writer: trying the next version`,
      );
    }
  }

  /** Removes a version from the registry (tombstones); resolves once this process sees it. */
  async retire(ref: ModelRef): Promise<void> {
    const versionKey = modelRecordKey(ref);
    if (!this.records.find(ref)) {
      throw new Error(
        `model ${ref.name} version ${ref.version} is not in the registry`,
      );
    }
    const keys = this.records.keysOf(ref);
    const echo = this.echo(
      (change) =>
        change.kind === 'retired' &&
        modelRecordKey(change.model) === versionKey,
      versionKey,
    );
    await this.tombstone(keys);
    await echo;
  }

  /** Publishes what this classifier serves (`null`: it stopped) for every process to read. */
  async reportServing(
    classifier: string,
    report: ServingReport | null,
  ): Promise<void> {
    this.reportingAs = report ? classifier : undefined;
    await this.send([{ key: classifier, value: report }], Topics.modelsServing);
  }

  /** Writes the weights first, then the summary saying where they are (readers never wait). */
  private async tryPublish(record: ModelRecord): Promise<boolean> {
    const publishId = record.publishId ?? randomUUID();
    const key = publishedRecordKey(record, publishId);
    const { artifacts, ...summary } = ModelRecordSchema.parse({
      ...record,
      publishId,
    });
    const weights = weightsMessage(artifacts);
    const [written] = await this.produce(Topics.modelWeights, [
      { key, ...weights },
    ]);
    const change = await this.sendAndSee(
      key,
      {
        ...summary,
        weightsSha256:
          summary.weightsSha256 ?? weightsChecksum(artifacts.weightData),
        weights: {
          partition: written.partition,
          offset: written.baseOffset,
          bytes: weights.value.length,
        },
      },
      (change) =>
        (change.kind === 'published' || change.kind === 'rejected') &&
        change.model.publishId === publishId,
    );
    if (change.kind === 'published') return true;
    // Readers ignore it already; the tombstone keeps it from outliving the winner's retirement.
    await this.tombstone([key]);
    return false;
  }

  /** Removes versions' records and their weights (the same keys on both topics). */
  private async tombstone(keys: string[]): Promise<void> {
    const messages = keys.map((key) => ({ key, value: null }));
    await Promise.all([
      this.send(messages),
      this.produce(Topics.modelWeights, messages),
    ]);
  }

  /** Makes a published version the one served by default; resolves once this process sees it. */
  async promote(ref: ModelRef): Promise<ActiveModel> {
    if (!this.find(ref)) {
      throw new Error(
        `model ${ref.name} version ${ref.version} is not in the registry`,
      );
    }
    const current = this.records.active;
    const previous = current
      ? [
          { name: current.name, version: current.version },
          ...(current.previous ?? []),
        ]
      : [];
    const active: ActiveModel = {
      name: ref.name,
      version: ref.version,
      promotedAt: new Date().toISOString(),
      previous: previous
        .filter(
          (model) =>
            modelRecordKey(model) !== modelRecordKey(ref) && this.find(model),
        )
        .slice(0, PROMOTION_HISTORY),
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
  ): Promise<RegistryChange> {
    const echo = this.echo(isEcho, key);
    await this.send([{ key, value }]);
    return echo;
  }

  /** Read-your-writes: callers act on the registry right after changing it. */
  private echo(
    isEcho: (change: RegistryChange) => boolean,
    what: string,
  ): Promise<RegistryChange> {
    const echo = firstValueFrom(this.changes.pipe(filter(isEcho)));
    return withTimeout(
      echo,
      ECHO_TIMEOUT_MS,
      `the registry did not echo ${what} within ${ECHO_TIMEOUT_MS} ms`,
    );
  }

  /** Values as JSON, compressed; `value: null` is a tombstone: compaction removes the key. */
  private async send(
    messages: { key: string; value: unknown }[],
    topic: string = Topics.models,
  ): Promise<void> {
    await this.produce(
      topic,
      messages.map(({ key, value }) => ({
        key,
        value: value === null ? null : JSON.stringify(value),
      })),
      CompressionTypes.GZIP,
    );
  }

  /** Where each message went; weights go uncompressed (float values barely compress). */
  private async produce(
    topic: string,
    messages: Message[],
    compression = CompressionTypes.None,
  ): Promise<{ partition: number; baseOffset: string }[]> {
    this.producer ??= this.connectProducer();
    const written = await (
      await this.producer
    ).send({
      topic,
      compression,
      messages,
    });
    return written.map(({ partition, baseOffset }) => ({
      partition,
      baseOffset: baseOffset ?? '0',
    }));
  }

  private async connectProducer(): Promise<Producer> {
    const producer = this.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    try {
      await producer.connect();
      return producer;
    } catch (error) {
      // The next send tries again.
      this.producer = undefined;
      throw error;
    }
  }

  private isNew(
    topic: string,
    partition: number,
    message: KafkaMessage,
  ): boolean {
    const where = `${topic}:${partition}`;
    const offset = BigInt(message.offset);
    if (offset <= (this.applied.get(where) ?? -1n)) return false;
    this.applied.set(where, offset);
    return true;
  }

  private apply(partition: number, message: KafkaMessage): void {
    const key = message.key?.toString();
    if (!key) return;
    try {
      if (!message.value) {
        this.records.applyTombstone(key);
      } else if (key === ACTIVE_MODEL_KEY) {
        this.records.applyActive(
          ActiveModelSchema.parse(JSON.parse(message.value.toString())),
        );
      } else {
        const { weights, artifacts, ...summary } = RegistryEntrySchema.parse(
          JSON.parse(message.value.toString()),
        );
        this.records.applyRecord(
          key,
          summary,
          weights
            ? { topic: Topics.modelWeights, key, ...weights }
            : // Written before weights had a topic of their own: they are in this very record.
              { topic: Topics.models, partition, offset: message.offset, key },
        );
      }
    } catch (error) {
      // One bad record must not stop a process from following the rest of the registry.
      this.logger.warn(`skipping registry record ${key}: ${String(error)}`);
    }
  }

  private applyServingReport(message: KafkaMessage): void {
    const key = message.key?.toString();
    if (!key) return;
    try {
      this.serving.apply(
        key,
        message.value ? JSON.parse(message.value.toString()) : null,
      );
    } catch (error) {
      this.logger.warn(`skipping serving report ${key}: ${String(error)}`);
    }
  }

  private async highWatermarks(): Promise<Map<number, number>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const offsets = await admin.fetchTopicOffsets(Topics.models);
          return new Map(
            offsets.map((entry) => [entry.partition, Number(entry.high)]),
          );
        } catch (error) {
          // A topic created a moment ago may have no leader yet ("not the leader").
          if (attempt === LEADER_ATTEMPTS) throw error;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    } finally {
      await admin.disconnect();
    }
  }

  private describe(ref?: ModelRef): string {
    return ref ? `${ref.name} v${ref.version}` : 'none';
  }
}
