import {
  modelRecordKey,
  type ActiveModel,
  type ModelRef,
  type ModelSummary,
} from '#fmnist';
import type { RecordAt } from './record-reader.js';

export type RegistryChange =
  | { kind: 'published'; model: ModelSummary }
  | { kind: 'promoted'; active: ActiveModel }
  | { kind: 'retired'; model: ModelRef }
  /** A record for a version another writer had already taken: readers ignore it. */
  | { kind: 'rejected'; model: ModelSummary };

interface HeldRecord {
  record: ModelSummary;
  /** Where its weights are: read only by a process that loads the version. */
  weights: RecordAt;
  /** The Kafka key it came under: a later record under another key for its version lost. */
  key: string;
}

/**
 * The registry as the records of `fashion-models` make it, in topic order: every reader applies
 * the same rules to the same records, so all agree. The first record of a version wins it; a later
 * one under the same key replaces it (compaction keeps that one); a tombstone of the winner's key
 * retires the version.
 */
export class RegistryRecords {
  private readonly records = new Map<string, HeldRecord>();
  /** Every Kafka key seen for a version, winner and losers: retiring tombstones them all. */
  private readonly versionKeys = new Map<string, string>();
  /** The highest version seen per name, retired ones included, so a number is never reused. */
  private readonly highestVersions = new Map<string, number>();
  private activeModel?: ActiveModel;

  constructor(private readonly emit: (change: RegistryChange) => void) {}

  get size(): number {
    return this.records.size;
  }

  get active(): ActiveModel | undefined {
    return this.activeModel;
  }

  find(ref: ModelRef): ModelSummary | undefined {
    return this.records.get(modelRecordKey(ref))?.record;
  }

  weightsOf(ref: ModelRef): RecordAt | undefined {
    return this.records.get(modelRecordKey(ref))?.weights;
  }

  all(): ModelSummary[] {
    return [...this.records.values()].map(({ record }) => record);
  }

  /** The number the next version of `name` takes, as far as this reader knows. */
  nextVersion(name: string): number {
    return (this.highestVersions.get(name) ?? 0) + 1;
  }

  /** The Kafka keys holding records of `ref`, the winner's and any loser's. */
  keysOf(ref: ModelRef): string[] {
    const versionKey = modelRecordKey(ref);
    return [...this.versionKeys]
      .filter(([, version]) => version === versionKey)
      .map(([key]) => key);
  }

  applyActive(active: ActiveModel): RegistryChange {
    this.activeModel = active;
    return this.emitted({ kind: 'promoted', active });
  }

  applyRecord(
    key: string,
    record: ModelSummary,
    weights: RecordAt,
  ): RegistryChange {
    const versionKey = modelRecordKey(record);
    this.versionKeys.set(key, versionKey);
    this.highestVersions.set(
      record.name,
      Math.max(this.highestVersions.get(record.name) ?? 0, record.version),
    );
    const held = this.records.get(versionKey);
    if (held && held.key !== key) {
      return this.emitted({ kind: 'rejected', model: record });
    }
    this.records.set(versionKey, { record, weights, key });
    return this.emitted({ kind: 'published', model: record });
  }

  /** What a tombstone changed: nothing unless it was of the record holding a version. */
  applyTombstone(key: string): RegistryChange | undefined {
    const versionKey = this.versionKeys.get(key);
    if (!versionKey) return undefined;
    this.versionKeys.delete(key);
    const held = this.records.get(versionKey);
    if (held?.key !== key) return undefined;
    this.records.delete(versionKey);
    const { name, version } = held.record;
    return this.emitted({ kind: 'retired', model: { name, version } });
  }

  private emitted(change: RegistryChange): RegistryChange {
    this.emit(change);
    return change;
  }
}
