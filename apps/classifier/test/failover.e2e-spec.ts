import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { encodePng } from '#fmnist';
import { officialTestImages } from '#testing/fixture-images';
import { postImage, startTestApp, type AppProcess } from '#testing/test-apps';
import { testBrokers } from '#testing/test-kafka';
import {
  connectRegistry,
  testModelArtifacts,
  testModelRecord,
} from '#testing/test-model';
import { waitFor } from '#testing/wait-for';

const CONCURRENCY = 8;
/** A group of its own, so that the other suites' classifiers take no part. */
const GROUP = `failover-${Date.now()}`;

interface Answer {
  status: number;
  at: number;
  classifier?: string;
}

describe('classifier replicas leaving under steady load', () => {
  let admin: Admin;
  let replicas: AppProcess[];
  let gateway: AppProcess;
  let png: Buffer;

  const members = async () =>
    (await admin.describeGroups([GROUP])).groups[0].members.length;

  before(async () => {
    const [[image], artifacts] = await Promise.all([
      officialTestImages(1),
      testModelArtifacts(),
    ]);
    png = await encodePng(image.pixels);
    const registry = await connectRegistry();
    const name = `failover-${Date.now()}`;
    await registry.publish(testModelRecord({ name, version: 1 }, artifacts));
    await registry.promote({ name, version: 1 });
    await registry.onModuleDestroy();
    replicas = await Promise.all(
      [1, 2, 3].map(() =>
        startTestApp('classifier', { CLASSIFIER_GROUP_ID: GROUP }),
      ),
    );
    gateway = await startTestApp('gateway', { CLASSIFY_RATE_LIMIT: '0' });
    admin = new Kafka({
      brokers: testBrokers().split(','),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    await waitFor(async () => (await members()) === 3, 30_000);
  });

  after(async () => {
    await Promise.all([gateway?.stop(), ...replicas.map((app) => app.stop())]);
    await admin?.disconnect();
  });

  it('answers every request, none 5xx, with no gap of 2 s, while one replica is killed and another stopped', async () => {
    const [killed, stopped, survivor] = replicas;
    const answers: Answer[] = [];
    let running = true;
    const client = async () => {
      while (running) {
        const response = await postImage(gateway, png, {
          signal: AbortSignal.timeout(30_000),
        });
        const body = (await response.json()) as {
          results?: { classifier: string }[];
        };
        answers.push({
          status: response.status,
          at: Date.now(),
          classifier: body.results?.[0].classifier,
        });
      }
    };
    const load = Promise.all(Array.from({ length: CONCURRENCY }, client));
    const pause = (ms: number) =>
      new Promise((resolve) => setTimeout(resolve, ms));

    const startedAt = Date.now();
    await pause(4000);
    killed.killNow();
    await killed.exited;
    // The dead replica's session times out (6 s) and the group settles on the two others.
    await waitFor(async () => (await members()) === 2, 20_000);
    await pause(2000);
    const status = await stopped.stop(15_000);
    // It left the group itself: gone at once, not after a session timeout.
    const membersAfterStop = await members();
    await pause(5000);
    running = false;
    await load;

    assert.notEqual(status.signal, 'SIGKILL', 'the stopped replica was killed');
    assert.equal(membersAfterStop, 1);
    const failed = answers.filter((answer) => answer.status !== 200);
    assert.deepEqual(failed, [], 'requests not answered 200');
    const times = [startedAt, ...answers.map((answer) => answer.at)].sort(
      (a, b) => a - b,
    );
    const longestGap = Math.max(
      ...times.slice(1).map((time, index) => time - times[index]),
    );
    console.log(
      `${answers.length} requests answered over ${Date.now() - startedAt} ms, ` +
        `longest gap without an answer ${longestGap} ms`,
    );
    assert.ok(longestGap < 2000, `longest gap ${longestGap} ms`);
    for (const answer of answers.slice(-CONCURRENCY * 4)) {
      assert.ok(answer.classifier?.endsWith(`:${survivor.pid}`));
    }
  });
});
