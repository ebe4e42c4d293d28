import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import {
  modelRecordKey,
  Topics,
  weightsChecksum,
  type ModelArtifacts,
  type ModelRef,
} from '#fmnist';
import {
  connectRegistry,
  testModelArtifacts,
  testModelRecord,
} from '#testing/test-model';
import { testBrokers } from '#testing/test-kafka';
import { waitFor } from '#testing/wait-for';
import type { ModelRegistryService } from './model-registry.service.js';

/** The test model with one weight nudged: a model of its own, with weights of its own. */
function variant(artifacts: ModelArtifacts, seed: number): ModelArtifacts {
  const weights = Buffer.from(artifacts.weightData, 'base64');
  weights.writeFloatLE(weights.readFloatLE(0) + seed * 1e-3, 0);
  return { ...artifacts, weightData: weights.toString('base64') };
}

/** A version of the test model as a writer hands it over: unnumbered. */
function draftOf(name: string, weights: ModelArtifacts) {
  const { version: _none, ...draft } = testModelRecord(
    { name, version: 1 },
    weights,
  );
  return draft;
}

describe('the model registry, written by several processes at once', () => {
  const name = `race-${randomUUID().slice(0, 8)}`;
  let artifacts: ModelArtifacts;
  let writers: ModelRegistryService[];
  const published: { ref: ModelRef; checksum: string }[] = [];

  before(async () => {
    artifacts = await testModelArtifacts();
    writers = await Promise.all([1, 2, 3].map(() => connectRegistry()));
  });

  after(async () => {
    await Promise.all(writers.map((writer) => writer.onModuleDestroy()));
  });

  it('gives writers publishing the same name at once distinct versions, each with its own weights', async () => {
    let rejected = 0;
    const watching = writers[0].changes.subscribe((change) => {
      if (change.kind === 'rejected') rejected++;
    });
    for (let round = 0; round < 3; round++) {
      const drafts = writers.map((_, writer) =>
        draftOf(name, variant(artifacts, round * writers.length + writer + 1)),
      );
      const refs = await Promise.all(
        writers.map((writer, index) => writer.publishNext(drafts[index])),
      );
      refs.forEach((ref, index) =>
        published.push({ ref, checksum: drafts[index].weightsSha256! }),
      );
    }
    watching.unsubscribe();
    assert.deepEqual(
      published.map(({ ref }) => ref.version).sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    // Each round's writers all started from the same view: they did race for the same numbers.
    assert.ok(rejected >= 2, `only ${rejected} records lost a race`);

    const reader = await connectRegistry();
    try {
      for (const { ref, checksum } of published) {
        const record = await reader.loadRecord(ref);
        assert.equal(record.weightsSha256, checksum, `v${ref.version}`);
        assert.equal(weightsChecksum(record.artifacts.weightData), checksum);
      }
    } finally {
      await reader.onModuleDestroy();
    }
  });

  it('retires a version for every reader, and never hands its number out again', async () => {
    const retired = { name, version: 9 };
    await writers[1].retire(retired);
    const reader = await connectRegistry();
    try {
      assert.equal(reader.find(retired), undefined);
      assert.ok(reader.find({ name, version: 8 }));
      await Promise.all(
        writers.map((writer) =>
          waitFor(() => Promise.resolve(writer.find(retired) === undefined)),
        ),
      );
      assert.deepEqual(await writers[0].publishNext(draftOf(name, artifacts)), {
        name,
        version: 10,
      });
    } finally {
      await reader.onModuleDestroy();
    }
  });

  it('still reads a record written before weights had a topic of their own, weights inline', async () => {
    const legacy = testModelRecord(
      { name, version: 20 },
      variant(artifacts, 20),
    );
    const producer = new kafkajs.Kafka({
      brokers: testBrokers().split(','),
      logLevel: kafkajs.logLevel.NOTHING,
    }).producer();
    await producer.connect();
    await producer.send({
      topic: Topics.models,
      messages: [
        { key: modelRecordKey(legacy), value: JSON.stringify(legacy) },
      ],
    });
    await producer.disconnect();
    const reader = await connectRegistry();
    try {
      const { artifacts: _inline, ...summary } = legacy;
      assert.deepEqual(reader.find(legacy), summary);
      const loaded = await reader.loadRecord(legacy);
      assert.equal(
        weightsChecksum(loaded.artifacts.weightData),
        legacy.weightsSha256,
      );
      assert.deepEqual(
        await writers[0].publishNext(draftOf(name, artifacts)),
        { name, version: 21 },
        'a number taken by an older record is not handed out again',
      );
    } finally {
      await reader.onModuleDestroy();
    }
  });
});
