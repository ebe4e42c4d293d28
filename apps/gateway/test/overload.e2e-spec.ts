import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';
import { setPriority } from 'node:os';
import { after, before, describe, it } from 'node:test';
import autocannon from 'autocannon';
import { multipartBody } from '../../../tools/bench/load.js';
import { cpuSpent } from '../../../tools/bench/process-cpu.js';
import { rssMb } from '../../../tools/bench/process-memory.js';
import {
  startClassificationStack,
  type ClassificationStack,
} from '#testing/classification-stack';
import { officialTestImages, photoLikeJpeg } from '#testing/fixture-images';
import { metric } from '#testing/metrics';
import { postImage } from '#testing/test-apps';
import { waitFor } from '#testing/wait-for';

/** Small bounds, so that two shared cores reach overload cheaply. */
const MAX_REQUESTS_IN_FLIGHT = 8;
const TIMEOUT_MS = 3000;
/** Scheduling on a busy machine: how late past the deadline an answer may still come. */
const LATENESS_MS = 500;
/** Goodput under overload, at least this share of the capacity. */
const GOODPUT_SHARE = 0.8;
/** Offered load under overload, in multiples of the capacity measured just before. */
const OVERLOAD = 3;
/** Peak resident memory under overload, at most this multiple of the peak at capacity. */
const MEMORY_GROWTH = 1.6;
/**
 * Capacity and overload are measured in alternating windows, compared by their means: the
 * machine's speed drifts (in one CI run a request cost the gateway 46% more CPU in the overload
 * phase than in the capacity phase just before it, and the goodput came out at 0.59x).
 */
const ROUNDS = 3;
const CAPACITY_SECONDS = 5;
const OVERLOAD_SECONDS = 10;
/** Clients of the overload phase: enough to offer that load while some wait for answers. */
const OVERLOAD_CONNECTIONS = 128;
/** The load generator's scheduling priority (nice), below the stack's. */
const LOAD_NICENESS = 10;

interface Run {
  seconds: number;
  goodput: number;
  statuses: Record<string, number>;
  refusedWithoutRetryAfter: number;
  maxLatencyMs: number;
  errors: number;
  /** What the errors were (their codes), for the failure message. */
  errorKinds: string[];
  peakRssMb: number;
  meanInFlight: number;
  /** CPU ms per second of the run, by process. */
  cpu: Record<string, number>;
}

const mean = (values: number[]) =>
  values.reduce((sum, value) => sum + value, 0) / values.length;

/** Requests per second sent in a run, whatever their answers. */
const sent = (run: Run) =>
  Object.values(run.statuses).reduce((sum, count) => sum + count, 0) /
  run.seconds;

const figures = (run: Run) =>
  `${run.goodput.toFixed(1)} 2xx/s, statuses ${JSON.stringify(run.statuses)}, ` +
  `max latency ${run.maxLatencyMs} ms, gateway RSS peak ${run.peakRssMb.toFixed(0)} MB, ` +
  `CPU ms/s ${JSON.stringify(run.cpu)}, mean admitted in flight ${run.meanInFlight.toFixed(1)}`;

describe('the gateway under overload, on the real stack', () => {
  let stack: ClassificationStack;
  let upload: Buffer;

  before(async () => {
    const [[image], started] = await Promise.all([
      officialTestImages(1),
      startClassificationStack({
        prefix: 'overload',
        gateway: {
          MAX_REQUESTS_IN_FLIGHT: String(MAX_REQUESTS_IN_FLIGHT),
          CLASSIFY_TIMEOUT_MS: String(TIMEOUT_MS),
          LOG_LEVEL: 'warn',
        },
      }),
    ]);
    stack = started;
    upload = await photoLikeJpeg(image.pixels);
  });
  after(() => stack?.stop());

  /**
   * `load` run while the processes' CPU time is counted and the gateway's memory and admitted
   * requests are sampled every 250 ms.
   */
  async function observed(
    load: () => Promise<Omit<Run, 'peakRssMb' | 'meanInFlight' | 'cpu'>>,
  ): Promise<Run> {
    // The requests a run's clients left unanswered at its end hold their places until their
    // work is done: the next run starts without them.
    await waitFor(
      async () =>
        (await metric(stack.gateway, 'gateway_admitted_requests_in_flight')) ===
        0,
    );
    let peakRssMb = 0;
    const inFlight: number[] = [];
    const sampler = setInterval(() => {
      void rssMb(stack.gateway.pid).then((mb) => {
        peakRssMb = Math.max(peakRssMb, mb ?? 0);
      });
      void metric(stack.gateway, 'gateway_admitted_requests_in_flight').then(
        (value) => inFlight.push(value),
      );
    }, 250);
    try {
      const { result, cpuMs } = await cpuSpent(
        {
          gateway: [stack.gateway.pid],
          classifier: [stack.classifier.pid],
          load: [process.pid],
        },
        load,
      );
      return {
        ...result,
        peakRssMb,
        meanInFlight: mean(inFlight),
        cpu: Object.fromEntries(
          Object.entries(cpuMs).map(([name, ms]) => [
            name,
            Math.round(ms / result.seconds),
          ]),
        ),
      };
    } finally {
      clearInterval(sampler);
    }
  }

  /** Photo-like single-image uploads from `connections` clients, each resending at once. */
  function offer(connections: number, seconds: number): Promise<Run> {
    const { body, headers } = multipartBody([upload]);
    return observed(async () => {
      const result = await autocannon({
        url: `${stack.gateway.url}/v1/classifications`,
        connections,
        duration: seconds,
        timeout: 10,
        method: 'POST',
        headers,
        body,
      });
      return {
        seconds: result.duration,
        goodput: result['2xx'] / result.duration,
        statuses: Object.fromEntries(
          Object.entries(result.statusCodeStats ?? {}).map(
            ([code, { count }]) => [code, count ?? 0],
          ),
        ),
        // Only used where no request is refused.
        refusedWithoutRetryAfter: 0,
        maxLatencyMs: result.latency.max,
        errors: result.errors + result.timeouts,
        errorKinds: [
          ...(result.errors > 0 ? ['connection error'] : []),
          ...(result.timeouts > 0 ? ['timeout'] : []),
        ],
      };
    });
  }

  /**
   * The same uploads sent at an even `rate` per second whatever the answers, by at most
   * `connections` clients at once (autocannon's own rate mode sends in bursts, which leave the
   * gateway idle between them).
   */
  function offerAtRate(
    rate: number,
    seconds: number,
    connections: number,
  ): Promise<Run> {
    const { body, headers } = multipartBody([upload]);
    const statuses: Record<string, number> = {};
    let refusedWithoutRetryAfter = 0;
    let maxLatencyMs = 0;
    let errors = 0;
    const errorKinds = new Set<string>();
    let outstanding = 0;
    // node:http with kept-alive sockets: fetch costs the test process about four times the CPU
    // per request, which on two shared cores would be taken from the gateway it measures.
    // Node.js 20's agent closes a pooled socket a second before the server's announced
    // `Keep-Alive: timeout` only when the agent has an idle timeout of its own, which the hint
    // then shortens. Without one, pooled sockets stay until the gateway closes them (measured at
    // this load: 33 in a run, and reuses after up to 4.9 s idle), and one reused as the gateway
    // closes it fails its request with ECONNRESET.
    const agent = new Agent({
      keepAlive: true,
      maxSockets: connections,
      timeout: 60_000,
    });
    const { hostname, port } = new URL(stack.gateway.url);
    const post = () =>
      new Promise<{ status: number; retryAfter: boolean }>(
        (resolve, reject) => {
          const request = httpRequest(
            {
              agent,
              hostname,
              port,
              path: '/v1/classifications',
              method: 'POST',
              headers: { ...headers, 'content-length': body.length },
              timeout: TIMEOUT_MS * 3,
            },
            (response) => {
              response.resume();
              response.once('end', () =>
                resolve({
                  status: response.statusCode ?? 0,
                  retryAfter: response.headers['retry-after'] !== undefined,
                }),
              );
              response.once('error', reject);
            },
          );
          request.once('timeout', () => request.destroy(new Error('timeout')));
          request.once('error', reject);
          request.end(body);
        },
      );
    const send = async () => {
      outstanding++;
      const sent = performance.now();
      try {
        const { status, retryAfter } = await post();
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 503 && !retryAfter) refusedWithoutRetryAfter++;
      } catch (error) {
        errors++;
        errorKinds.add((error as NodeJS.ErrnoException).code ?? String(error));
      } finally {
        maxLatencyMs = Math.max(maxLatencyMs, performance.now() - sent);
        outstanding--;
      }
    };
    return observed(async () => {
      const running: Promise<void>[] = [];
      const started = performance.now();
      // Requests fall due by the clock: on a busy machine the 10 ms timer runs late.
      let offered = 0;
      for (
        let elapsed = 0;
        elapsed < seconds * 1000;
        elapsed = performance.now() - started
      ) {
        for (; offered < (rate * elapsed) / 1000; offered++) {
          if (outstanding < connections) running.push(send());
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await Promise.all(running);
      agent.destroy();
      const ok = Object.entries(statuses)
        .filter(([code]) => code.startsWith('2'))
        .reduce((sum, [, count]) => sum + count, 0);
      return {
        seconds,
        goodput: ok / seconds,
        statuses,
        refusedWithoutRetryAfter,
        maxLatencyMs: Math.round(maxLatencyMs),
        errors,
        errorKinds: [...errorKinds],
      };
    });
  }

  it('keeps its goodput at several times its capacity, refusing the excess with 503 and Retry-After', async () => {
    // The clients of a deployment run elsewhere; here they share two cores with the stack, and
    // offering three times the load cost them 170 ms of CPU a second more than at capacity, taken
    // from the gateway: goodput 0.84x of capacity, 0.91x with the clients yielding (this process,
    // not the stack's, which were started before).
    setPriority(LOAD_NICENESS);
    // Long enough that the capacity is measured warm: after a 2 s warm-up it came out a third
    // below what the same stack served right after the overload phase (after 10 s, a seventh),
    // which flattered the goodput's share.
    await offer(MAX_REQUESTS_IN_FLIGHT, 10);
    const rounds: { capacity: Run; overload: Run }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const capacity = await offer(MAX_REQUESTS_IN_FLIGHT, CAPACITY_SECONDS);
      const offered = Math.ceil(OVERLOAD * capacity.goodput);
      const overload = await offerAtRate(
        offered,
        OVERLOAD_SECONDS,
        OVERLOAD_CONNECTIONS,
      );
      process.stdout.write(
        `# round ${round}, capacity (${MAX_REQUESTS_IN_FLIGHT} connections): ${figures(capacity)}\n` +
          `# round ${round}, overload (${offered} requests/s asked, ${sent(overload).toFixed(0)}/s sent by at most ${OVERLOAD_CONNECTIONS} clients): ${figures(overload)}\n`,
      );
      rounds.push({ capacity, overload });
    }

    const capacity = mean(rounds.map((round) => round.capacity.goodput));
    const goodput = mean(rounds.map((round) => round.overload.goodput));
    assert.ok(capacity > 0, 'nothing was classified');
    assert.ok(
      goodput >= GOODPUT_SHARE * capacity,
      `goodput fell to ${goodput.toFixed(1)}/s from ${capacity.toFixed(1)}/s`,
    );
    for (const { capacity, overload } of rounds) {
      assert.ok(
        sent(overload) >= 2 * capacity.goodput,
        `only ${sent(overload).toFixed(0)} requests/s were sent: not an overload`,
      );
      const others = Object.keys(overload.statuses).filter(
        (code) => !code.startsWith('2') && code !== '503',
      );
      assert.deepEqual(others, [], 'only 2xx and 503 under overload');
      assert.ok(
        (overload.statuses['503'] ?? 0) > 0,
        'overload was not reached',
      );
      assert.equal(overload.refusedWithoutRetryAfter, 0);
      assert.equal(
        overload.errors,
        0,
        `client errors: ${overload.errorKinds.join(', ')}`,
      );
      assert.ok(
        overload.maxLatencyMs <= TIMEOUT_MS + LATENESS_MS,
        `a request took ${overload.maxLatencyMs} ms`,
      );
      // The heap grows with the allocation rate (four times the requests, most of them refused):
      // measured +19 to +118 MB over 15 s. What must not happen is memory growing with a queue of
      // uploads, which admission prevents. Against the first capacity window: the later ones come
      // after an overload.
      assert.ok(
        overload.peakRssMb <= rounds[0].capacity.peakRssMb * MEMORY_GROWTH,
        `the gateway grew from ${rounds[0].capacity.peakRssMb} to ${overload.peakRssMb} MB`,
      );
    }
    const refused = rounds.reduce(
      (sum, round) => sum + (round.overload.statuses['503'] ?? 0),
      0,
    );
    assert.ok(
      (await metric(stack.gateway, 'gateway_refused_requests_total')) >=
        refused,
    );
  });

  it('has the classifier drop the requests whose deadline passed while it was stopped, and count them', async () => {
    const { classifier, gateway } = stack;
    // What the overload left in Kafka is answered first, so that it is not counted below.
    await waitFor(
      async () =>
        (await metric(gateway, 'gateway_kafka_requests_in_flight')) === 0,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const expiredBefore = await metric(
      classifier,
      'classifier_expired_requests_total',
    );
    const answeredBefore = await metric(
      classifier,
      'classifier_requests_total',
      { outcome: 'answered' },
    );
    const resentBefore = await metric(gateway, 'gateway_resent_requests_total');
    const requests = MAX_REQUESTS_IN_FLIGHT / 2;
    process.kill(classifier.pid!, 'SIGSTOP');
    let statuses: number[];
    try {
      statuses = await Promise.all(
        Array.from({ length: requests }, () =>
          postImage(gateway, upload, {
            signal: AbortSignal.timeout(TIMEOUT_MS * 3),
          }).then((response) => response.status),
        ),
      );
    } finally {
      process.kill(classifier.pid!, 'SIGCONT');
    }
    assert.deepEqual(statuses, Array(requests).fill(504));

    const expired = async () =>
      (await metric(classifier, 'classifier_expired_requests_total')) -
      expiredBefore;
    // Unanswered, each request was also sent again to the other partitions: every copy expired.
    const sent =
      requests +
      (await metric(gateway, 'gateway_resent_requests_total')) -
      resentBefore;
    await waitFor(async () => (await expired()) >= sent);
    assert.equal(await expired(), sent);
    assert.equal(
      await metric(classifier, 'classifier_requests_total', {
        outcome: 'answered',
      }),
      answeredBefore,
      'the classifier computed answers nobody waited for',
    );
    const response = await postImage(gateway, upload);
    assert.equal(response.status, 200, 'the classifier serves again');
  });
});
