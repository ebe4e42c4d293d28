import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Counter, Gauge } from 'prom-client';
import { Subject } from 'rxjs';
import {
  ModelArtifactsSchema,
  weightsChecksum,
  type ActiveModel,
  type ModelArtifacts,
  type ModelRecord,
  type ModelRef,
} from '#fmnist';
import { buildModel, serializeModel } from '#fmnist/tensorflow';
import type { ModelRegistryService, RegistryChange } from '#model-registry';
import { LoadedModelsService } from './loaded-models.service.js';

/** The part of the registry the service reads, held in memory: what the topic would say. */
class RegistryView {
  readonly changes = new Subject<RegistryChange>();
  readonly records = new Map<number, ModelRecord>();
  readonly reports: unknown[] = [];
  active?: ActiveModel;

  find(ref: ModelRef) {
    return this.records.get(ref.version);
  }
  loadRecord(ref: ModelRef) {
    const record = this.records.get(ref.version);
    return record
      ? Promise.resolve(record)
      : Promise.reject(new Error('not in the registry'));
  }
  list() {
    return [...this.records.values()];
  }
  latest() {
    return this.list().at(-1);
  }
  reportServing(_classifier: string, report: unknown) {
    this.reports.push(report);
    return Promise.resolve();
  }
  promote(version: number, previous: ModelRef[] = []) {
    this.active = {
      name: 'm',
      version,
      promotedAt: new Date().toISOString(),
      previous,
    };
    this.changes.next({ kind: 'promoted', active: this.active });
  }
}

function record(version: number, artifacts: ModelArtifacts): ModelRecord {
  return {
    name: 'm',
    version,
    architecture: 'prototype-cnn',
    dataset: 'none',
    metrics: { accuracy: 0 },
    createdAt: new Date(Date.UTC(2026, 0, version)).toISOString(),
    weightsSha256: weightsChecksum(artifacts.weightData),
    artifacts,
  };
}

function service(registry: RegistryView): LoadedModelsService {
  return new LoadedModelsService(
    registry as unknown as ModelRegistryService,
    new Counter({
      name: 'failures',
      help: 'f',
      registers: [],
      labelNames: ['model', 'version'],
    }),
    new Gauge({ name: 'fallback', help: 'f', registers: [] }),
    new Counter({
      name: 'loads',
      help: 'l',
      registers: [],
      labelNames: ['model', 'version'],
    }),
  );
}

const served = (models: LoadedModelsService) => models.active?.ref.version;

describe('LoadedModelsService', () => {
  let artifacts: ModelArtifacts;

  before(async () => {
    const model = buildModel('prototype-cnn');
    artifacts = ModelArtifactsSchema.parse(await serializeModel(model));
    model.dispose();
  });

  it('ends on the version promoted last, whatever order the loads finish in', async () => {
    const registry = new RegistryView();
    for (const version of [1, 2, 3]) {
      registry.records.set(version, record(version, artifacts));
    }
    registry.active = {
      name: 'm',
      version: 2,
      promotedAt: new Date().toISOString(),
    };
    const models = service(registry);
    await models.onModuleInit();
    // v3 is loaded already (a request named it), v1 is not: v1's load finishes last.
    await models.use({ name: 'm', version: 3 }, () => Promise.resolve());
    registry.promote(1);
    registry.promote(3);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(served(models), 3);
    models.onModuleDestroy();
  });

  it('starts on the version active before when the active one cannot be loaded, without throwing', async () => {
    const registry = new RegistryView();
    registry.records.set(1, record(1, artifacts));
    registry.records.set(2, {
      ...record(2, artifacts),
      weightsSha256: '0'.repeat(64),
    });
    registry.records.set(3, record(3, artifacts));
    registry.active = {
      name: 'm',
      version: 2,
      promotedAt: new Date().toISOString(),
      previous: [{ name: 'm', version: 1 }],
    };
    const models = service(registry);
    await models.onModuleInit();
    assert.equal(served(models), 1, 'not the previously active version');
    const status = models.status();
    assert.deepEqual(status.wanted, { name: 'm', version: 2 });
    assert.match(status.failed[0].error, /checksum/);
    models.onModuleDestroy();
  });

  it('loads a version afresh when its record is written again', async () => {
    const registry = new RegistryView();
    registry.records.set(1, record(1, artifacts));
    registry.active = {
      name: 'm',
      version: 1,
      promotedAt: new Date().toISOString(),
    };
    const models = service(registry);
    await models.onModuleInit();
    const before = models.active;
    const rewritten = record(1, artifacts);
    registry.records.set(1, rewritten);
    const { artifacts: _weights, ...summary } = rewritten;
    registry.changes.next({ kind: 'published', model: summary });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(served(models), 1);
    assert.notEqual(
      models.active,
      before,
      'still the model built from the old record',
    );
    models.onModuleDestroy();
  });

  it('falls back to the newest version that loads when no earlier one is known', async () => {
    const registry = new RegistryView();
    registry.records.set(1, record(1, artifacts));
    registry.records.set(2, record(2, artifacts));
    registry.records.set(3, {
      ...record(3, artifacts),
      weightsSha256: '0'.repeat(64),
    });
    registry.active = {
      name: 'm',
      version: 3,
      promotedAt: new Date().toISOString(),
    };
    const models = service(registry);
    await models.onModuleInit();
    assert.equal(served(models), 2);
    models.onModuleDestroy();
  });
});
