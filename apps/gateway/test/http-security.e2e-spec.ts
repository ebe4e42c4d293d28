import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { encodePng } from '#fmnist';
import { withTimeout } from '#platform';
import { launchBrowser } from '#testing/browser';
import { officialTestImages } from '#testing/fixture-images';
import { startUpload, uploadTwiceOnOneConnection } from '#testing/held-upload';
import { startTestApp, type AppProcess } from '#testing/test-apps';
import { waitFor } from '#testing/wait-for';

const ALLOWED_ORIGIN = 'https://shop.example';
const FOREIGN_ORIGIN = 'https://elsewhere.example';
const RATE_LIMIT = 3;
const RATE_WINDOW_MS = 60_000;
/** Where the configured gateway looks for its sample images, in vain. */
const MISSING_FMNIST_DIR = join(tmpdir(), `no-fmnist-${randomUUID()}`);

/** What an error body must never carry: stack frames, source paths. */
const INTERNALS = /\n\s+at |node_modules|\.(js|ts):\d+|\/work\/|no-fmnist/;

/** The little of the DOM the browser test reads (the project compiles without its types). */
interface PageImages {
  document: {
    querySelectorAll(
      selector: string,
    ): ArrayLike<{ complete: boolean; naturalWidth: number }>;
  };
}

describe('the gateway over HTTP: headers, CORS, rate limit, unread bodies, error bodies', () => {
  /** All settings at their defaults. */
  let plain: AppProcess;
  /** CORS for one origin, a small rate limit, no sample images. */
  let configured: AppProcess;

  before(async () => {
    await Promise.all([
      startTestApp('gateway').then((app) => (plain = app)),
      startTestApp('gateway', {
        CORS_ORIGINS: ALLOWED_ORIGIN,
        CLASSIFY_RATE_LIMIT: String(RATE_LIMIT),
        CLASSIFY_RATE_WINDOW_MS: String(RATE_WINDOW_MS),
        FMNIST_DIR: MISSING_FMNIST_DIR,
      }).then((app) => (configured = app)),
    ]);
  });

  after(() => Promise.all([plain?.stop(), configured?.stop()]));

  describe('security headers', () => {
    it('come with the page, Swagger UI, the API and its errors', async () => {
      for (const path of ['/', '/docs', '/v1/labels', '/v1/nothing-here']) {
        const response = await fetch(`${plain.url}${path}`);
        const header = (name: string) => response.headers.get(name) ?? '';
        const policy = header('content-security-policy');
        for (const directive of [
          "default-src 'self'",
          "script-src 'self'",
          "object-src 'none'",
          "frame-ancestors 'self'",
          "img-src 'self' data: blob:",
        ]) {
          assert.ok(policy.includes(directive), `${path}: ${directive}`);
        }
        assert.doesNotMatch(policy, /upgrade-insecure-requests/, path);
        assert.equal(header('x-content-type-options'), 'nosniff', path);
        assert.equal(header('referrer-policy'), 'no-referrer', path);
        assert.equal(response.headers.get('x-powered-by'), null, path);
      }
    });

    it('let the page and Swagger UI work in Chromium without a policy violation', async () => {
      const browser: Browser = await launchBrowser();
      try {
        const page = await browser.newPage();
        page.setDefaultTimeout(20_000);
        const violations: string[] = [];
        page.on('console', (message) => {
          if (/Content Security Policy/i.test(message.text()))
            violations.push(message.text());
        });
        // A function, not a string: the page's policy forbids evaluating strings.
        const loaded = (selector: string) =>
          page.waitForFunction(
            (images) =>
              Array.from(
                (globalThis as unknown as PageImages).document.querySelectorAll(
                  images,
                ),
              ).some((image) => image.complete && image.naturalWidth > 0),
            selector,
          );

        await page.goto(plain.url);
        // Sample images are data: URLs; an upload is shown through a blob: URL.
        await page.click('#samples-button');
        await loaded('#sample-list img');
        const [image] = await officialTestImages(1);
        await page.setInputFiles('#file-input', {
          name: 'item.png',
          mimeType: 'image/png',
          buffer: await encodePng(image.pixels),
        });
        await loaded('#results img.thumb');

        await page.goto(`${plain.url}/docs`);
        await page
          .locator('.swagger-ui .info .title', { hasText: 'Fashion gateway' })
          .waitFor();
        await page.locator('.opblock-summary').first().click();
        await page.locator('.opblock-body').first().waitFor();

        assert.deepEqual(violations, []);
      } finally {
        await browser.close();
      }
    });
  });

  describe('CORS', () => {
    /** A browser's preflight for a cross-origin upload, and a simple cross-origin read. */
    const crossOrigin = (gateway: AppProcess, origin: string) =>
      Promise.all([
        fetch(`${gateway.url}/v1/classifications`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST' },
        }),
        fetch(`${gateway.url}/v1/labels`, { headers: { origin } }),
      ]);
    const allowedOrigins = (responses: Response[]) =>
      responses.map((response) =>
        response.headers.get('access-control-allow-origin'),
      );

    it('gives no origin access by default', async () => {
      assert.deepEqual(
        allowedOrigins(await crossOrigin(plain, ALLOWED_ORIGIN)),
        [null, null],
      );
    });

    it('lets the origins of CORS_ORIGINS call the API, and them only', async () => {
      const [preflight, read] = await crossOrigin(configured, ALLOWED_ORIGIN);
      assert.equal(preflight.status, 204);
      assert.match(
        preflight.headers.get('access-control-allow-methods') ?? '',
        /POST/,
      );
      assert.deepEqual(allowedOrigins([preflight, read]), [
        ALLOWED_ORIGIN,
        ALLOWED_ORIGIN,
      ]);
      assert.deepEqual(
        allowedOrigins(await crossOrigin(configured, FOREIGN_ORIGIN)),
        [null, null],
      );
    });
  });

  describe('rate limit of classification', () => {
    /** A request the limit counts, answered 400 (no image) while under it. */
    const classifyNothing = (gateway: AppProcess, path = 'classifications') => {
      const form = new FormData();
      form.append('comment', 'no image');
      return fetch(`${gateway.url}/v1/${path}`, {
        method: 'POST',
        body: form,
      });
    };

    it('is off by default, for one client on a developer machine', async () => {
      const response = await classifyNothing(plain);
      assert.equal(response.status, 400);
      assert.equal(response.headers.get('x-ratelimit-limit'), null);
    });

    it('answers 429 with Retry-After once a client is over it, health and metrics still served', async () => {
      for (let request = 1; request <= RATE_LIMIT; request++) {
        const response = await classifyNothing(configured);
        assert.equal(response.status, 400, `request ${request}`);
        assert.equal(
          response.headers.get('x-ratelimit-remaining'),
          String(RATE_LIMIT - request),
        );
      }
      const refused = await classifyNothing(configured);
      assert.equal(refused.status, 429);
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.ok(
        Number.isInteger(retryAfter) &&
          retryAfter > 0 &&
          retryAfter <= RATE_WINDOW_MS / 1000,
        `Retry-After: ${refused.headers.get('retry-after')}`,
      );
      const body = (await refused.json()) as Record<string, unknown>;
      assert.equal(body.statusCode, 429);
      assert.equal(body.error, 'Too Many Requests');
      assert.match(
        String(body.message),
        new RegExp(
          `at most ${RATE_LIMIT} requests per client every ${RATE_WINDOW_MS / 1000} s; retry in ${retryAfter} s`,
        ),
      );

      for (const path of [
        '/health',
        '/health/ready',
        '/metrics',
        '/v1/labels',
      ]) {
        for (let request = 0; request <= RATE_LIMIT; request++) {
          const response = await fetch(`${configured.url}${path}`);
          assert.notEqual(response.status, 429, path);
        }
      }
      // Previews cost a decode too: limited as well, counted on their own.
      assert.equal((await classifyNothing(configured, 'previews')).status, 400);
    });
  });

  describe('bodies an answer given before them does not need', () => {
    it('are read for a few seconds after the answer at most, then the connection is closed', async () => {
      // Without a bound, Node.js would read them for as long as it waits for a request, five
      // minutes, from a client that keeps sending (an idle one it drops after its keep-alive
      // timeout).
      const bound = 30_000;
      const lingering = async (path: string, length?: number) => {
        const upload = startUpload(plain, path, length);
        const sending = setInterval(() => {
          if (upload.request.writable) upload.request.write(Buffer.alloc(1000));
        }, 250);
        const { status } = await upload.answer;
        const closed = await withTimeout(
          // Not events.once: a reset (an 'error' first) is a close too.
          new Promise((resolve) =>
            upload.request.socket!.once('close', resolve),
          ),
          bound,
          `${path}: still open`,
        ).then(
          () => true,
          () => false,
        );
        clearInterval(sending);
        upload.request.destroy();
        return { path, status, closed };
      };
      const large = 64 * 1024 * 1024;
      assert.deepEqual(
        await Promise.all([
          lingering('/v1/labels', large),
          lingering('/v1/nothing-here', large),
          lingering('/v1/labels'),
        ]),
        [
          { path: '/v1/labels', status: 405, closed: true },
          { path: '/v1/nothing-here', status: 404, closed: true },
          { path: '/v1/labels', status: 405, closed: true },
        ],
      );
    });

    it('are read and dropped when small, the connection kept for the next request', async () => {
      assert.deepEqual(
        await uploadTwiceOnOneConnection(plain, '/v1/labels', 20_000),
        [
          { status: 405, connection: 'keep-alive', reused: false },
          { status: 405, connection: 'keep-alive', reused: true },
        ],
      );
    });
  });

  describe('error bodies', () => {
    it('name the problem and carry no internals', async () => {
      const answers = await Promise.all([
        fetch(`${plain.url}/v1/classifications`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"image": ',
        }),
        fetch(`${plain.url}/v1/classifications`, {
          method: 'POST',
          headers: { 'content-type': 'multipart/form-data; boundary=x' },
          body: '--x\r\nContent-Disposition: form-data; name="file"',
        }),
        fetch(`${configured.url}/v1/samples?count=3`),
      ]);
      const bodies = await Promise.all(
        answers.map(async (response) => ({
          status: response.status,
          text: await response.text(),
        })),
      );
      assert.deepEqual(
        bodies.map(({ status }) => status),
        [400, 400, 503],
      );
      const messages = bodies.map(
        ({ text }) => (JSON.parse(text) as { message: string }).message,
      );
      assert.match(messages[0], /^malformed JSON body/);
      assert.match(messages[1], /multipart/i);
      assert.equal(
        messages[2],
        'the sample images are not available on this server',
      );
      for (const { text } of bodies) assert.doesNotMatch(text, INTERNALS);
      // The operator learns where the sample images were looked for (the log line may reach
      // the output a moment after the answer).
      await waitFor(() =>
        Promise.resolve(
          configured.output.some((line) => line.includes(MISSING_FMNIST_DIR)),
        ),
      );
    });
  });
});
