import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodePng } from '#fmnist';
import { createTopics } from '../../../tools/kafka/create-topics.js';
import { EmbeddedKafka } from '../../../tools/kafka/embedded-kafka.js';
import { officialTestImages } from '#testing/fixture-images';
import { freePortPair } from '#testing/free-port';
import { postImage, startTestApp, type AppProcess } from '#testing/test-apps';
import {
  connectRegistry,
  testModelArtifacts,
  testModelRecord,
} from '#testing/test-model';

/** Long, so that a request waiting for the timeout instead of failing fast shows up as a 504. */
const CLASSIFY_TIMEOUT_MS = 30_000;
/** Only there so that a hanging request fails the test instead of stalling it. */
const REQUEST_ABORT_MS = CLASSIFY_TIMEOUT_MS + 15_000;
const OUTAGE_MS = 15_000;
const RECOVERY_DEADLINE_MS = 120_000;
const SENDERS = 4;
const PAUSE_BETWEEN_REQUESTS_MS = 100;
/** Consecutive successes after the restart that count as recovered. */
const RECOVERED_AFTER = 20;

/** Where the broker was when a request was sent, and when it was answered. */
type Phase = 'before' | 'stopping' | 'down' | 'starting' | 'after';

interface Outcome {
  sentIn: Phase;
  answeredIn: Phase;
  answeredAt: number;
  /** The HTTP status, or how the request failed without one. */
  status: number | 'aborted' | 'network error';
  message?: string;
  retryAfter?: string | null;
}

interface Readiness {
  status: number;
  kafka?: string;
}

describe('a broker restart during a stream of classifications', () => {
  let dataDir: string;
  let port: number;
  let broker: EmbeddedKafka | undefined;
  let classifier: AppProcess;
  let gateway: AppProcess;
  let png: Buffer;
  let phase: Phase = 'before';
  const outcomes: Outcome[] = [];

  const classify = async (): Promise<
    Omit<Outcome, 'answeredIn' | 'answeredAt'>
  > => {
    const sentIn = phase;
    try {
      const response = await postImage(gateway, png, {
        signal: AbortSignal.timeout(REQUEST_ABORT_MS),
      });
      const body = (await response.json()) as { message?: string };
      return {
        sentIn,
        status: response.status,
        message: body.message,
        retryAfter: response.headers.get('retry-after'),
      };
    } catch (error) {
      return {
        sentIn,
        status:
          error instanceof DOMException && error.name === 'TimeoutError'
            ? 'aborted'
            : 'network error',
        message: String(error),
      };
    }
  };

  const readiness = async (app: AppProcess): Promise<Readiness> => {
    const response = await fetch(`${app.url}/health/ready`, {
      signal: AbortSignal.timeout(REQUEST_ABORT_MS),
    });
    const body = (await response.json()) as {
      details?: { kafka?: { status: string } };
    };
    return { status: response.status, kafka: body.details?.kafka?.status };
  };

  /** Senders classify one after the other until `sending` is false. */
  let sending = true;
  const sender = async () => {
    while (sending) {
      const outcome = await classify();
      outcomes.push({ ...outcome, answeredIn: phase, answeredAt: Date.now() });
      await sleep(PAUSE_BETWEEN_REQUESTS_MS);
    }
  };

  const recovered = () => {
    const latest = outcomes
      .filter((outcome) => outcome.sentIn === 'after')
      .slice(-RECOVERED_AFTER);
    return (
      latest.length === RECOVERED_AFTER &&
      latest.every((outcome) => outcome.status === 200)
    );
  };

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fashion-kafka-restart-'));
    // The broker of this suite alone: the suite's shared broker must not restart.
    port = await freePortPair();
    broker = await EmbeddedKafka.start({ dataDir, port, heap: '384m' });
    await createTopics(broker.brokers);

    const [[image], artifacts] = await Promise.all([
      officialTestImages(1),
      testModelArtifacts(),
    ]);
    png = await encodePng(image.pixels);
    const registry = await connectRegistry(broker.brokers);
    const name = `restart-${randomUUID().slice(0, 8)}`;
    await registry.publish(testModelRecord({ name, version: 1 }, artifacts));
    await registry.promote({ name, version: 1 });
    await registry.onModuleDestroy();

    const env = { KAFKA_BROKERS: broker.brokers };
    [classifier, gateway] = await Promise.all([
      startTestApp('classifier', env),
      startTestApp('gateway', {
        ...env,
        CLASSIFY_TIMEOUT_MS: String(CLASSIFY_TIMEOUT_MS),
        // Fast 503s let this one client send well over a minute's quota during the outage.
        CLASSIFY_RATE_LIMIT: '0',
      }),
    ]);
    // The classifier's group may still be forming: wait for a first answer.
    const deadline = Date.now() + 60_000;
    while ((await classify()).status !== 200) {
      assert.ok(Date.now() < deadline, 'no classification before the outage');
      await sleep(500);
    }
  });

  after(async () => {
    sending = false;
    await Promise.all([gateway?.stop(), classifier?.stop()]);
    await broker?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('answers 503 at once while the broker is down and classifies again after its restart', async (t) => {
    const senders = Array.from({ length: SENDERS }, sender);
    // The outage starts once every sender has been answered a few times, whatever that takes.
    const flowingBy = Date.now() + 30_000;
    while (
      outcomes.filter((outcome) => outcome.status === 200).length <
      3 * SENDERS
    ) {
      assert.ok(
        Date.now() < flowingBy,
        'no stream of answers before the outage',
      );
      await sleep(100);
    }

    phase = 'stopping';
    await broker?.stop();
    broker = undefined;
    phase = 'down';
    await sleep(OUTAGE_MS / 2);
    const readyDuringOutage = await Promise.all([
      readiness(gateway),
      readiness(classifier),
    ]);
    await sleep(OUTAGE_MS / 2);

    phase = 'starting';
    broker = await EmbeddedKafka.start({ dataDir, port, heap: '384m' });
    const restartedAt = Date.now();
    phase = 'after';
    while (!recovered() && Date.now() - restartedAt < RECOVERY_DEADLINE_MS) {
      await sleep(500);
    }
    const recoveredAfterMs = Date.now() - restartedAt;
    const firstSuccess = outcomes.find(
      (outcome) => outcome.sentIn === 'after' && outcome.status === 200,
    );
    sending = false;
    await Promise.all(senders);

    const readyAfterRestart = await Promise.all([
      readiness(gateway),
      readiness(classifier),
    ]);

    const count = (sentIn: Phase) => {
      const sent = outcomes.filter((outcome) => outcome.sentIn === sentIn);
      const ok = sent.filter((outcome) => outcome.status === 200).length;
      const unavailable = sent.filter(
        (outcome) => outcome.status === 503,
      ).length;
      return `${sent.length} sent: ${ok} ok, ${unavailable} 503, ${sent.length - ok - unavailable} other`;
    };
    for (const sentIn of [
      'before',
      'stopping',
      'down',
      'starting',
      'after',
    ] as const) {
      t.diagnostic(`broker ${sentIn}: ${count(sentIn)}`);
    }
    t.diagnostic(
      `after the broker answered again: first classification ${firstSuccess ? firstSuccess.answeredAt - restartedAt : '-'} ms, ` +
        `${RECOVERED_AFTER} in a row ${recoveredAfterMs} ms`,
    );
    t.diagnostic(
      `readiness during the outage: gateway ${readyDuringOutage[0].status}, classifier ${readyDuringOutage[1].status}; ` +
        `after: gateway ${readyAfterRestart[0].status}, classifier ${readyAfterRestart[1].status}`,
    );

    const unexpected = outcomes.filter(
      (outcome) => outcome.status !== 200 && outcome.status !== 503,
    );
    assert.deepEqual(unexpected, [], 'only successes and 503s are expected');
    for (const outcome of outcomes.filter((o) => o.status === 503)) {
      // Kafka down, or back but this gateway's reply consumer not yet in its group again.
      assert.match(
        outcome.message ?? '',
        /Kafka is not reachable|cannot receive replies from the classifiers yet/,
      );
      assert.match(outcome.retryAfter ?? '', /^\d+$/);
    }
    // Sent while no broker ran: each one answered 503, and before the broker was started again.
    const duringOutage = outcomes.filter(
      (outcome) => outcome.sentIn === 'down',
    );
    assert.ok(duringOutage.length > 0, 'no request was sent in the outage');
    assert.deepEqual(
      duringOutage.filter(
        (outcome) =>
          outcome.status !== 503 ||
          (outcome.answeredIn !== 'down' && outcome.answeredIn !== 'starting'),
      ),
      [],
    );
    assert.ok(
      outcomes
        .filter((o) => o.sentIn === 'before' && o.answeredIn === 'before')
        .every((o) => o.status === 200),
      'requests failed before the outage',
    );
    assert.ok(recovered(), 'classifications did not succeed again in time');

    assert.deepEqual(
      readyDuringOutage.map((ready) => [ready.status, ready.kafka]),
      [
        [503, 'down'],
        [503, 'down'],
      ],
    );
    assert.deepEqual(
      readyAfterRestart.map((ready) => [ready.status, ready.kafka]),
      [
        [200, 'up'],
        [200, 'up'],
      ],
    );
    assert.ok(gateway.running, 'the gateway exited');
    assert.ok(classifier.running, 'the classifier exited');
  });
});
