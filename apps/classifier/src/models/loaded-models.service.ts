import {
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import * as tf from '@tensorflow/tfjs-node';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';
import { Subscription } from 'rxjs';
import {
  ClassificationErrorCode,
  IMAGE_SIZE,
  modelRecordKey,
  NUM_CLASSES,
  weightsChecksum,
  type ActiveModel,
  type ModelRecord,
  type ModelRef,
} from '#fmnist';
import { deserializeModel, ServingModel } from '#fmnist/tensorflow';
import {
  ModelRegistryService,
  SERVING_REPORT_INTERVAL_MS,
  type RegistryChange,
} from '#model-registry';
import { ClassificationFailure } from '../classification/classification-failure.js';
import { CLASSIFIER_ID } from './classifier-id.js';
import { ModelLoadMetrics } from './model-load.metrics.js';

export interface LoadedModel {
  readonly ref: ModelRef;
  readonly model: ServingModel;
}

export interface LoadFailure {
  model: ModelRef;
  error: string;
}

/** What this classifier serves, against what the registry asks of it. */
export interface ServingStatus {
  wanted?: ModelRef;
  serving?: ModelRef;
  failed: LoadFailure[];
}

interface Entry {
  loading: Promise<LoadedModel>;
  loaded?: LoadedModel;
  lastUsed: number;
  /** Requests holding the model, queued or running: it is never disposed under them. */
  inFlight: number;
  retired: boolean;
}

/** Models not used for this long are disposed, unless active; requests holding them finish first. */
const IDLE_MODEL_TTL_MS = 5 * 60_000;

const sameModel = (a?: ModelRef, b?: ModelRef) =>
  a !== undefined &&
  b !== undefined &&
  a.name === b.name &&
  a.version === b.version;

/**
 * The tfjs models this classifier serves, built from registry records on first use. A newly
 * promoted model is loaded before it becomes the default, so requests never wait for it and
 * requests already running on the previous model finish on it. Promotions take effect in registry
 * order, whatever order their loads finish in. A version that cannot be loaded (corrupt weights, a
 * checksum that does not match, a topology tfjs refuses) never stops the classifier: it serves the
 * first of the version active before, then the newest versions, that loads, and says so in its
 * readiness details, its metrics and its serving report (read by `/v1/models`).
 */
@Injectable()
export class LoadedModelsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LoadedModelsService.name);
  private readonly models = new Map<string, Entry>();
  private readonly failures = new Map<string, LoadFailure>();
  private activeModel?: LoadedModel;
  private wanted?: ModelRef;
  /** Numbers each promotion: a load that finishes after a later promotion is not applied. */
  private promotions = 0;
  private subscription?: Subscription;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly registry: ModelRegistryService,
    @InjectMetric(ModelLoadMetrics.failures)
    private readonly loadFailures: Counter<string>,
    @InjectMetric(ModelLoadMetrics.fallback)
    private readonly fallback: Gauge<string>,
    @InjectMetric(ModelLoadMetrics.loads)
    private readonly loads: Counter<string>,
  ) {}

  /** Never throws: a version that cannot be loaded must not stop the classifier from starting. */
  async onModuleInit(): Promise<void> {
    // Subscribed before the first load, so a promotion meanwhile is applied after it, not lost.
    this.subscription = this.registry.changes.subscribe((change) =>
      this.onChange(change),
    );
    await this.follow(this.registry.active);
    this.timers = [
      setInterval(() => this.disposeIdle(), IDLE_MODEL_TTL_MS / 5),
      setInterval(() => void this.report(), SERVING_REPORT_INTERVAL_MS),
    ];
    for (const timer of this.timers) timer.unref();
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
    for (const timer of this.timers) clearInterval(timer);
  }

  get active(): LoadedModel | undefined {
    return this.activeModel;
  }

  status(): ServingStatus {
    return {
      wanted: this.wanted,
      serving: this.activeModel?.ref,
      failed: [...this.failures.values()],
    };
  }

  /**
   * Runs `work` on the model a request asks for (a version, the newest of a name, or the active
   * one), holding it so that it is not disposed while the request waits in a batch.
   */
  async use<T>(
    ref: { name: string; version?: number } | undefined,
    work: (loaded: LoadedModel) => Promise<T>,
  ): Promise<T> {
    const loaded = await this.resolve(ref);
    const entry = this.models.get(modelRecordKey(loaded.ref));
    if (entry) entry.inFlight++;
    try {
      return await work(loaded);
    } finally {
      if (entry) {
        entry.inFlight--;
        entry.lastUsed = Date.now();
        this.disposeIfRetired(entry, loaded);
      }
    }
  }

  private async resolve(ref?: {
    name: string;
    version?: number;
  }): Promise<LoadedModel> {
    if (!ref) {
      if (!this.activeModel) {
        throw new ClassificationFailure(
          ClassificationErrorCode.noModel,
          this.wanted
            ? `no model available: ${this.wanted.name} v${this.wanted.version} cannot be loaded, nor any earlier version`
            : 'no model available yet: train one and promote it',
        );
      }
      return this.activeModel;
    }
    const record =
      ref.version === undefined
        ? this.registry.latest(ref.name)
        : this.registry.find({ name: ref.name, version: ref.version });
    if (!record) {
      throw new ClassificationFailure(
        ClassificationErrorCode.unknownModel,
        `unknown model ${ref.name}${ref.version === undefined ? '' : ` version ${ref.version}`}`,
      );
    }
    try {
      return await this.load(record);
    } catch (error) {
      throw new ClassificationFailure(
        ClassificationErrorCode.noModel,
        `model ${record.name} version ${record.version} cannot be loaded: ${describe(error)}`,
      );
    }
  }

  private onChange(change: RegistryChange): void {
    switch (change.kind) {
      case 'promoted':
        void this.follow(change.active);
        break;
      // A version written again under its key (by hand) is another model: loaded afresh.
      case 'published':
      case 'retired':
        this.drop(change.model);
        break;
    }
  }

  /** Serves the promoted version, or the first fallback that loads when it cannot be loaded. */
  private async follow(active?: ActiveModel): Promise<void> {
    const promotion = ++this.promotions;
    if (!active) return;
    const wanted = { name: active.name, version: active.version };
    this.wanted = wanted;
    for (const candidate of this.candidates(active)) {
      const loaded = await this.tryLoad(candidate);
      if (promotion !== this.promotions) return;
      if (!loaded) continue;
      const fellBack = !sameModel(candidate, wanted);
      this.fallback.set(fellBack ? 1 : 0);
      if (loaded !== this.activeModel || fellBack) {
        this.logger[fellBack ? 'warn' : 'log'](
          fellBack
            ? `${wanted.name} v${wanted.version} cannot be loaded: serving ${candidate.name} v${candidate.version} instead`
            : `now serving ${candidate.name} v${candidate.version} by default`,
        );
      }
      this.activeModel = loaded;
      break;
    }
    if (promotion !== this.promotions) return;
    if (!this.activeModel) {
      this.logger.error(
        `${wanted.name} v${wanted.version} cannot be loaded, nor any other version: nothing to serve`,
      );
    }
    await this.report();
  }

  /**
   * Where to look for a model to serve, in order: the promoted version, the versions active
   * before it (the registry remembers them, so every replica makes the same choice), the one
   * served now, then every version, newest first.
   */
  private candidates(active: ActiveModel): ModelRef[] {
    const newestFirst = this.registry
      .list()
      .sort(
        (a, b) =>
          b.createdAt.localeCompare(a.createdAt) || b.version - a.version,
      );
    const all = [
      active,
      ...(active.previous ?? []),
      ...(this.activeModel ? [this.activeModel.ref] : []),
      ...newestFirst,
    ];
    const seen = new Set<string>();
    return all
      .map(({ name, version }) => ({ name, version }))
      .filter((ref) => {
        const key = modelRecordKey(ref);
        if (seen.has(key) || !this.registry.find(ref)) return false;
        seen.add(key);
        return true;
      });
  }

  /** The model, or undefined when it cannot be loaded (the failure kept for the reports). */
  private async tryLoad(ref: ModelRef): Promise<LoadedModel | undefined> {
    const key = modelRecordKey(ref);
    if (this.failures.has(key)) return undefined;
    try {
      return await this.load(ref);
    } catch (error) {
      if (this.registry.find(ref)) {
        this.failures.set(key, { model: ref, error: describe(error) });
        this.loadFailures.inc({
          model: ref.name,
          version: String(ref.version),
        });
      }
      this.logger.error(
        `cannot load ${ref.name} v${ref.version}: ${describe(error)}`,
      );
      return undefined;
    }
  }

  private load(ref: ModelRef): Promise<LoadedModel> {
    const key = modelRecordKey(ref);
    const cached = this.models.get(key);
    if (cached) {
      cached.lastUsed = Date.now();
      return cached.loading;
    }
    this.loads.inc({ model: ref.name, version: String(ref.version) });
    const entry: Entry = {
      // Only now, and only this version's, are its weights read from Kafka.
      loading: this.registry.loadRecord(ref).then(build),
      lastUsed: Date.now(),
      inFlight: 0,
      retired: false,
    };
    this.models.set(key, entry);
    entry.loading.then(
      (loaded) => {
        entry.loaded = loaded;
        if (loaded.model.uncompiledBecause) {
          this.logger.log(
            `${key} runs layer by layer, slower than as one graph: ${loaded.model.uncompiledBecause}`,
          );
        }
        void this.report();
      },
      () => {
        if (this.models.get(key) === entry) this.models.delete(key);
      },
    );
    return entry.loading;
  }

  /** A retired or rewritten version leaves at once; requests holding it finish on it first. */
  private drop(ref: ModelRef): void {
    const key = modelRecordKey(ref);
    this.failures.delete(key);
    const entry = this.models.get(key);
    if (!entry) return;
    this.models.delete(key);
    entry.retired = true;
    void entry.loading.then(
      async (loaded) => {
        if (loaded === this.activeModel)
          await this.follow(this.registry.active);
        this.disposeIfRetired(entry, loaded);
      },
      () => undefined,
    );
    void this.report();
  }

  private disposeIfRetired(entry: Entry, loaded: LoadedModel): void {
    if (entry.retired && entry.inFlight === 0 && loaded !== this.activeModel) {
      loaded.model.dispose();
    }
  }

  private disposeIdle(): void {
    for (const [key, entry] of this.models) {
      const { loaded } = entry;
      if (
        !loaded ||
        loaded === this.activeModel ||
        entry.inFlight > 0 ||
        Date.now() - entry.lastUsed < IDLE_MODEL_TTL_MS
      )
        continue;
      this.models.delete(key);
      loaded.model.dispose();
    }
  }

  private async report(): Promise<void> {
    try {
      await this.registry.reportServing(CLASSIFIER_ID, {
        classifier: CLASSIFIER_ID,
        wanted: this.wanted,
        serving: this.activeModel?.ref,
        loaded: [...this.models.values()].flatMap((entry) =>
          entry.loaded ? [entry.loaded.ref] : [],
        ),
        failed: [...this.failures.values()],
        reportedAt: new Date().toISOString(),
      });
    } catch (error) {
      this.logger.warn(
        `could not report what this classifier serves: ${describe(error)}`,
      );
    }
  }
}

/**
 * The record's model, checked as far as a reader can: weights that match their checksum, and an
 * answer of ten classes for an image (which also warms the model up before its first request).
 */
async function build(record: ModelRecord): Promise<LoadedModel> {
  if (
    record.weightsSha256 &&
    weightsChecksum(record.artifacts.weightData) !== record.weightsSha256
  ) {
    throw new Error('its weights do not match their checksum (sha256)');
  }
  const model = await ServingModel.of(await deserializeModel(record.artifacts));
  try {
    const shape = tf.tidy(
      () => model.predict(tf.zeros([1, IMAGE_SIZE, IMAGE_SIZE, 1])).shape,
    );
    if (shape.join() !== [1, NUM_CLASSES].join()) {
      throw new Error(
        `it answers an image with shape [${shape.join(', ')}], not [1, ${NUM_CLASSES}]`,
      );
    }
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { ref: { name: record.name, version: record.version }, model };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
