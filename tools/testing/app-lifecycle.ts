import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AppName, AppProcess } from '../launcher/app-process.js';
import { startOwnBroker } from './own-broker.js';
import { startTestApp } from './test-apps.js';

/**
 * The behaviour every app shares, checked on the real process against the real broker: it starts
 * with one command, answers liveness and readiness, documents its API, sends security headers
 * and stops gracefully, or within its shutdown deadline when its brokers are gone.
 * `appSpecific` registers further checks that run against the same process before it is stopped.
 */
export function describeAppLifecycle(
  app: AppName,
  appSpecific?: (running: () => AppProcess) => void,
): void {
  let running: AppProcess;

  describe(`the ${app} process`, () => {
    before(async () => {
      running = await startTestApp(app);
    });
    after(() => running.stop());

    it('answers liveness at /health', async () => {
      const response = await fetch(`${running.url}/health`);
      assert.equal(response.status, 200);
      assert.equal(
        ((await response.json()) as { status: string }).status,
        'ok',
      );
    });

    it('reports Kafka up at /health/ready', async () => {
      // Some apps have further readiness conditions (the classifier needs a model): only
      // Kafka's part is common to all.
      const response = await fetch(`${running.url}/health/ready`);
      const body = (await response.json()) as {
        details: { kafka: { status: string; brokers: number } };
      };
      assert.equal(body.details.kafka.status, 'up');
      assert.ok(body.details.kafka.brokers >= 1);
    });

    it('publishes its OpenAPI description at /docs-json', async () => {
      const response = await fetch(`${running.url}/docs-json`);
      assert.equal(response.status, 200);
      const document = (await response.json()) as {
        openapi: string;
        paths: Record<string, unknown>;
      };
      assert.match(document.openapi, /^3\./);
      assert.ok('/health' in document.paths);
    });

    it('sends security headers, and no CORS permission to another origin by default', async () => {
      for (const path of ['/health', '/docs', '/no-such-path']) {
        const response = await fetch(`${running.url}${path}`, {
          headers: { origin: 'https://elsewhere.example' },
        });
        const header = (name: string) => response.headers.get(name);
        assert.match(
          header('content-security-policy') ?? '',
          /default-src 'self'/,
          path,
        );
        assert.equal(header('x-content-type-options'), 'nosniff', path);
        assert.equal(header('x-frame-options'), 'SAMEORIGIN', path);
        assert.equal(header('x-powered-by'), null, path);
        assert.equal(header('access-control-allow-origin'), null, path);
      }
    });

    it('logs structured JSON lines naming the app', () => {
      const entries = running.output
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { app?: string });
      assert.ok(entries.length > 0, 'no JSON log line was written');
      assert.ok(entries.every((entry) => entry.app === app));
    });

    appSpecific?.(() => running);

    it('shuts down gracefully on SIGTERM', async () => {
      const status = await running.stop(15_000);
      assert.notEqual(status.signal, 'SIGKILL', 'the process had to be killed');
      assert.ok(
        status.code === 0 || status.signal === 'SIGTERM',
        `unexpected exit: ${JSON.stringify(status)}`,
      );
    });
  });

  describe(`the ${app} process, its brokers gone`, () => {
    it('ends its shutdown at SHUTDOWN_TIMEOUT_MS, saying why', async () => {
      const broker = await startOwnBroker();
      const stranded = await startTestApp(app, {
        KAFKA_BROKERS: broker.brokers,
        SHUTDOWN_TIMEOUT_MS: '3000',
      }).finally(() => broker.stop());
      // Every Kafka client's disconnect now retries its connection: 60-80 s without the deadline.
      const started = Date.now();
      const status = await stranded.stop(30_000);
      const seconds = (Date.now() - started) / 1000;
      assert.deepEqual(status, { code: 1, signal: null });
      assert.ok(seconds < 15, `stopped after ${seconds} s`);
      assert.ok(
        stranded.output.some((line) =>
          line.includes(
            'the shutdown did not finish within 3000 ms (SHUTDOWN_TIMEOUT_MS)',
          ),
        ),
        'the reason was logged',
      );
    });
  });
}
