import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { encodePng } from '#fmnist';
import type { ModelRegistryService } from '#model-registry';
import { officialTestImages } from '#testing/fixture-images';
import { postImage, startTestApp, type AppProcess } from '#testing/test-apps';
import {
  connectRegistry,
  testModelArtifacts,
  testModelRecord,
} from '#testing/test-model';

interface Outcome {
  status: number;
  classifier?: string;
  message?: string;
}

const GATEWAY_TIMEOUT_MS = 4000;

describe('two classifier replicas in one consumer group', () => {
  let registry: ModelRegistryService;
  let replicas: AppProcess[];
  let gateway: AppProcess;
  let png: Buffer;

  const classify = async (): Promise<Outcome> => {
    const response = await postImage(gateway, png, {
      // Far above the gateway's own timeout: a request that hangs fails the test instead.
      signal: AbortSignal.timeout(GATEWAY_TIMEOUT_MS * 3),
    });
    const body = (await response.json()) as {
      results?: { classifier: string }[];
      message?: string;
    };
    return {
      status: response.status,
      classifier: body.results?.[0].classifier,
      message: body.message,
    };
  };

  /** `count` requests, `concurrency` at a time; `during` runs once a third of them are done. */
  const stream = async (
    count: number,
    concurrency: number,
    during?: () => Promise<void>,
  ) => {
    const outcomes: Outcome[] = [];
    let next = 0;
    let triggered = false;
    const worker = async () => {
      while (next < count) {
        next++;
        outcomes.push(await classify());
        if (during && !triggered && outcomes.length >= count / 3) {
          triggered = true;
          await during();
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return outcomes;
  };

  before(async () => {
    const [images, artifacts] = await Promise.all([
      officialTestImages(1),
      testModelArtifacts(),
    ]);
    png = await encodePng(images[0].pixels);
    registry = await connectRegistry();
    const name = `replicas-${randomUUID().slice(0, 8)}`;
    await registry.publish(testModelRecord({ name, version: 1 }, artifacts));
    await registry.promote({ name, version: 1 });
    replicas = await Promise.all([
      startTestApp('classifier'),
      startTestApp('classifier'),
    ]);
    gateway = await startTestApp('gateway', {
      CLASSIFY_TIMEOUT_MS: String(GATEWAY_TIMEOUT_MS),
      // Hundreds of requests a minute from this one client, on purpose.
      CLASSIFY_RATE_LIMIT: '0',
    });
  });

  after(async () => {
    await Promise.all([
      gateway?.stop(),
      ...(replicas ?? []).map((replica) => replica.stop()),
    ]);
    await registry?.onModuleDestroy();
  });

  it('spreads the partitions of fashion-images over both replicas', async () => {
    // The group may still be settling right after start: only a stream of answers tells.
    const deadline = Date.now() + 30_000;
    let served = new Set<string>();
    while (served.size < 2 && Date.now() < deadline) {
      const outcomes = await stream(40, 8);
      served = new Set(
        outcomes.flatMap((outcome) =>
          outcome.classifier ? [outcome.classifier] : [],
        ),
      );
    }
    assert.deepEqual(
      [...served].map((id) => Number(id.split(':').at(-1))).sort(),
      replicas.map((replica) => replica.pid).sort(),
    );
  });

  it('loses no request for good when one replica is killed mid-stream', async () => {
    const [victim, survivor] = replicas;
    const outcomes = await stream(300, 8, async () => {
      victim.killNow();
      await victim.exited;
    });
    assert.equal(outcomes.length, 300, 'every request was answered');
    const failed = outcomes.filter((outcome) => outcome.status !== 200);
    for (const failure of failed) {
      assert.equal(
        failure.status,
        504,
        `unexpected failure: ${JSON.stringify(failure)}`,
      );
      assert.match(failure.message ?? '', /retry/);
    }
    console.log(
      `killed one of two replicas: ${failed.length} of 300 requests timed out (504), the rest answered`,
    );

    const retried = await stream(failed.length + 20, 8);
    assert.deepEqual(
      retried.filter((outcome) => outcome.status !== 200),
      [],
      'retries after the rebalance failed',
    );
    assert.ok(
      retried.every((outcome) =>
        outcome.classifier?.endsWith(`:${survivor.pid}`),
      ),
    );
  });
});
