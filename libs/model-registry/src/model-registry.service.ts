import {
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import kafkajs, { Kafka } from 'kafkajs';
import { Subject } from 'rxjs';
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
  CompactedTopicFollower,
  jsonMessage,
  appKafkaConfig,
  type FollowedRecord,
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

const { CompressionTypes } = kafkajs;
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
  private readonly follower: CompactedTopicFollower<RegistryChange | undefined>;
  private readonly serving = new ServingReports();
  private readonly weights: RecordReader;
  private reportingAs?: string;
  private readonly changesSubject = new Subject<RegistryChange>();
  private readonly records = new RegistryRecords((change) =>
    this.changesSubject.next(change),
  );
  /** Published and promoted models, in topic order, after the initial catch-up. */
  readonly changes = this.changesSubject.asObservable();

  constructor(config: ConfigService<PlatformEnvironment, true>) {
    const kafka = new Kafka(appKafkaConfig(config, 'registry'));
    this.follower = new CompactedTopicFollower(
      kafka,
      {
        groupPrefix: 'fashion-registry',
        topics: [Topics.models, Topics.modelsServing],
        catchUpOn: [Topics.models],
        apply: (record) => this.apply(record),
        // Records written before weights had a topic of their own carry them: a fetch holds one.
        consumer: {
          maxBytesPerPartition: 64 * 1024 * 1024,
          maxBytes: 128 * 1024 * 1024,
        },
      },
      this.logger,
    );
    this.weights = new RecordReader(
      kafka,
      [Topics.modelWeights, Topics.models],
      this.logger,
    );
  }

  async onModuleInit(): Promise<void> {
    await this.follower.start();
    this.logger.log(
      `model registry loaded: ${this.records.size} versions, active ${this.describe(this.records.active)}`,
    );
  }

  async onModuleDestroy(): Promise<void> {
    if (this.reportingAs) {
      // A classifier that stops says so, rather than waiting to be counted as gone.
      await this.reportServing(this.reportingAs, null).catch(() => undefined);
    }
    await Promise.all([this.follower.stop(), this.weights.close()]);
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
    if (!this.records.find(ref)) {
      throw new Error(
        `model ${ref.name} version ${ref.version} is not in the registry`,
      );
    }
    await this.tombstone(this.records.keysOf(ref));
  }

  /** Publishes what this classifier serves (`null`: it stopped) for every process to read. */
  async reportServing(
    classifier: string,
    report: ServingReport | null,
  ): Promise<void> {
    this.reportingAs = report ? classifier : undefined;
    await this.follower.send(
      Topics.modelsServing,
      [jsonMessage(classifier, report)],
      CompressionTypes.GZIP,
    );
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
    // Uncompressed: float values barely compress.
    const [written] = await this.follower.send(Topics.modelWeights, [
      { key, ...weights },
    ]);
    const change = await this.sendAndSee(key, {
      ...summary,
      weightsSha256:
        summary.weightsSha256 ?? weightsChecksum(artifacts.weightData),
      weights: {
        partition: written.partition,
        offset: written.baseOffset,
        bytes: weights.value.length,
      },
    });
    if (change?.kind === 'published') return true;
    // Readers ignore it already; the tombstone keeps it from outliving the winner's retirement.
    await this.tombstone([key]);
    return false;
  }

  /**
   * Removes versions' records and their weights (the same keys on both topics); resolves once
   * this process has read the records' removal.
   */
  private async tombstone(keys: string[]): Promise<void> {
    await Promise.all([
      ...keys.map((key) => this.sendAndSee(key, null)),
      this.follower.send(
        Topics.modelWeights,
        keys.map((key) => jsonMessage(key, null)),
      ),
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
    await this.sendAndSee(ACTIVE_MODEL_KEY, active);
    return active;
  }

  /**
   * Writes a registry record (JSON, compressed; `null`: a tombstone) and resolves with what it
   * changed once this process has read it: callers act on the registry right after changing it.
   */
  private sendAndSee(
    key: string,
    value: unknown,
  ): Promise<RegistryChange | undefined> {
    return this.follower.sendAndSee(
      Topics.models,
      jsonMessage(key, value),
      CompressionTypes.GZIP,
    );
  }

  private apply(record: FollowedRecord): RegistryChange | undefined {
    const { topic, partition, offset, key, value } = record;
    if (!key) return undefined;
    try {
      if (topic === Topics.modelsServing) {
        this.serving.apply(key, value ? JSON.parse(value.toString()) : null);
        return undefined;
      }
      if (!value) return this.records.applyTombstone(key);
      if (key === ACTIVE_MODEL_KEY) {
        return this.records.applyActive(
          ActiveModelSchema.parse(JSON.parse(value.toString())),
        );
      }
      const { weights, artifacts, ...summary } = RegistryEntrySchema.parse(
        JSON.parse(value.toString()),
      );
      return this.records.applyRecord(
        key,
        summary,
        weights
          ? { topic: Topics.modelWeights, key, ...weights }
          : // Written before weights had a topic of their own: they are in this very record.
            { topic: Topics.models, partition, offset, key },
      );
    } catch (error) {
      // One bad record must not stop a process from following the rest of the registry.
      this.logger.warn(`skipping ${topic} record ${key}: ${String(error)}`);
      return undefined;
    }
  }

  private describe(ref?: ModelRef): string {
    return ref ? `${ref.name} v${ref.version}` : 'none';
  }
}
