import {
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { LayersModel } from '@tensorflow/tfjs-node';
import { Subscription } from 'rxjs';
import {
  ClassificationErrorCode,
  modelRecordKey,
  type ModelRef,
} from '#fmnist';
import { deserializeModel } from '#fmnist/tensorflow';
import { ModelRegistryService } from '#model-registry';
import { ClassificationFailure } from '../classification/classification-failure.js';

export interface LoadedModel {
  readonly ref: ModelRef;
  readonly model: LayersModel;
}

/** Models not used for this long are disposed, unless active; in-flight requests finish first. */
const IDLE_MODEL_TTL_MS = 5 * 60_000;

/**
 * The tfjs models this classifier serves, built from registry records on first use. A newly
 * promoted model is loaded before it becomes the default, so requests never wait for it and
 * requests already running on the previous model finish on it.
 */
@Injectable()
export class LoadedModelsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LoadedModelsService.name);
  private readonly models = new Map<
    string,
    { loading: Promise<LoadedModel>; lastUsed: number }
  >();
  private activeModel?: LoadedModel;
  private subscription?: Subscription;
  private sweeper?: NodeJS.Timeout;

  constructor(private readonly registry: ModelRegistryService) {}

  async onModuleInit(): Promise<void> {
    const active = this.registry.active;
    if (active) {
      this.activeModel = await this.load(active);
    }
    this.subscription = this.registry.changes.subscribe((change) => {
      if (change.kind !== 'promoted') return;
      this.load(change.active).then(
        (loaded) => {
          this.activeModel = loaded;
          this.logger.log(
            `now serving ${loaded.ref.name} v${loaded.ref.version} by default`,
          );
        },
        (error: unknown) =>
          this.logger.error(
            `could not load the promoted model: ${String(error)}`,
          ),
      );
    });
    this.sweeper = setInterval(
      () => this.disposeIdle(),
      IDLE_MODEL_TTL_MS / 5,
    ).unref();
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
    clearInterval(this.sweeper);
  }

  get active(): LoadedModel | undefined {
    return this.activeModel;
  }

  /** The model a request asks for: a version, the newest of a name, or the active one. */
  async resolve(ref?: {
    name: string;
    version?: number;
  }): Promise<LoadedModel> {
    if (!ref) {
      if (!this.activeModel) {
        throw new ClassificationFailure(
          ClassificationErrorCode.noModel,
          'no model available yet: train one and promote it',
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
    return this.load(record);
  }

  private load(ref: ModelRef): Promise<LoadedModel> {
    const key = modelRecordKey(ref);
    const cached = this.models.get(key);
    if (cached) {
      cached.lastUsed = Date.now();
      return cached.loading;
    }
    const record = this.registry.find(ref);
    if (!record) {
      return Promise.reject(
        new ClassificationFailure(
          ClassificationErrorCode.unknownModel,
          `unknown model ${ref.name} version ${ref.version}`,
        ),
      );
    }
    const loading = deserializeModel(record.artifacts).then((model) => ({
      ref: { name: record.name, version: record.version },
      model,
    }));
    this.models.set(key, { loading, lastUsed: Date.now() });
    loading.catch(() => this.models.delete(key));
    return loading;
  }

  private disposeIdle(): void {
    const now = Date.now();
    for (const [key, entry] of this.models) {
      if (now - entry.lastUsed < IDLE_MODEL_TTL_MS) continue;
      void entry.loading.then((loaded) => {
        if (loaded === this.activeModel) return;
        this.models.delete(key);
        loaded.model.dispose();
      });
    }
  }
}
