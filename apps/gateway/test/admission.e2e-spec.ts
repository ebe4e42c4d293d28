import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withTimeout } from '#platform';
import type { AppProcess } from '#testing/test-apps';
import { metric } from '#testing/metrics';
import { startTestApp } from '#testing/test-apps';
import { startUpload, uploadTwiceOnOneConnection } from '#testing/held-upload';
import { waitFor } from '#testing/wait-for';

const MAX_BYTES_IN_FLIGHT = 64 * 1024;

/**
 * Takes the only place of a gateway that serves one request at a time with an upload that never
 * ends; the function returned gives the place back.
 */
async function takeTheOnlyPlace(
  gateway: AppProcess,
): Promise<() => Promise<void>> {
  const admitted = () => metric(gateway, 'gateway_admitted_requests_in_flight');
  const holding = startUpload(gateway, '/v1/classifications', 1000);
  holding.request.write('\x89PNG');
  await waitFor(async () => (await admitted()) === 1);
  return async () => {
    holding.request.destroy();
    await holding.answer.catch(() => undefined);
    await waitFor(async () => (await admitted()) === 0);
  };
}

describe('admission control of the image endpoints', () => {
  let gateway: AppProcess;

  before(async () => {
    gateway = await startTestApp('gateway', {
      MAX_REQUESTS_IN_FLIGHT: '1',
      MAX_BYTES_IN_FLIGHT: String(MAX_BYTES_IN_FLIGHT),
    });
  });
  after(() => gateway?.stop());

  it('answers 503 with Retry-After at once when it is full, before reading the body', async () => {
    const giveBack = await takeTheOnlyPlace(gateway);

    const paths = [
      '/v1/classifications',
      '/v1/previews',
      '/v2/models/any/infer',
      '/v2/models/any/versions/1/infer',
      // Routed to the same handlers: routing ignores case and a trailing slash.
      '/V1/Classifications/',
      '/v1/previews/?source=shirt',
      '/V2/Models/any/INFER/',
    ];
    for (const path of paths) {
      const refused = startUpload(gateway, path, 1000);
      const answer = await refused.answer;
      refused.request.destroy();
      assert.equal(answer.status, 503, path);
      assert.equal(answer.headers['retry-after'], '1', path);
      // The inference protocol's clients read the message from `error`.
      const { message, error } = JSON.parse(answer.body) as Record<
        string,
        string
      >;
      assert.match(
        path.toLowerCase().startsWith('/v2') ? error : message,
        /at capacity: as many requests in flight as it serves at once \(MAX_REQUESTS_IN_FLIGHT=1\)/,
        path,
      );
    }
    assert.equal(
      await metric(gateway, 'gateway_refused_requests_total', {
        reason: 'requests',
      }),
      paths.length,
    );

    await giveBack();
    const next = await fetch(`${gateway.url}/v1/classifications`, {
      method: 'POST',
      body: 'not an image',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(next.status, 415, 'the slot was not given back');
  });

  it('answers 413 at once for a body larger than all the bytes it holds at once', async () => {
    const tooLarge = startUpload(
      gateway,
      '/v1/classifications',
      MAX_BYTES_IN_FLIGHT + 1,
    );
    const answer = await tooLarge.answer;
    tooLarge.request.destroy();
    assert.equal(answer.status, 413);
    assert.match(answer.body, /at most 65536 bytes \(MAX_BYTES_IN_FLIGHT\)/);
  });

  it('keeps the connection of a refused upload small enough to drop', async () => {
    const giveBack = await takeTheOnlyPlace(gateway);
    assert.deepEqual(
      await uploadTwiceOnOneConnection(gateway, '/v1/classifications', 20_000),
      [
        { status: 503, connection: 'keep-alive', reused: false },
        { status: 503, connection: 'keep-alive', reused: true },
      ],
    );
    await giveBack();
  });

  it('answers a refused photo-sized upload so that a client sending all of it first reads the 503', async () => {
    // A gateway that holds a phone photo's bytes: beyond MAX_BYTES_IN_FLIGHT it would be a 413.
    const roomy = await startTestApp('gateway', {
      MAX_REQUESTS_IN_FLIGHT: '1',
    });
    try {
      const giveBack = await takeTheOnlyPlace(roomy);
      const answers: (number | string)[] = [];
      for (const bytes of [600_000, 3_000_000]) {
        const form = new FormData();
        form.append(
          'file',
          new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }),
          'photo.jpg',
        );
        // fetch sends the whole body before it reads the answer, as browsers do.
        const answer = await fetch(`${roomy.url}/v1/classifications`, {
          method: 'POST',
          body: form,
        }).then(
          async (response) => {
            await response.text();
            return `${response.status}, Retry-After ${response.headers.get('retry-after')}`;
          },
          (error: Error) => String((error.cause as Error | undefined) ?? error),
        );
        answers.push(answer);
      }
      assert.deepEqual(answers, ['503, Retry-After 1', '503, Retry-After 1']);
      await giveBack();
    } finally {
      await roomy.stop();
    }
  });

  it('tells a client that expects 100-continue to send its upload only once admitted', async () => {
    const body = 'not an image';
    const expecting = async () => {
      const { request, answer } = startUpload(
        gateway,
        '/v1/classifications',
        body.length,
        { contentType: 'text/plain', headers: { expect: '100-continue' } },
      );
      let continued = false;
      request.once('continue', () => {
        continued = true;
        request.end(body);
      });
      return { ...(await answer), continued };
    };

    const giveBack = await takeTheOnlyPlace(gateway);
    const refused = await expecting();
    assert.equal(refused.status, 503);
    assert.equal(refused.continued, false, 'told to send a refused upload');
    assert.equal(refused.headers.connection, 'close');

    await giveBack();
    const admitted = await expecting();
    assert.equal(admitted.continued, true);
    assert.equal(admitted.status, 415, admitted.body);
  });

  it('answers 408 to an upload whose body has not arrived by its deadline, and gives its place back', async () => {
    const timeoutMs = 1000;
    const impatient = await startTestApp('gateway', {
      MAX_REQUESTS_IN_FLIGHT: '1',
      CLASSIFY_TIMEOUT_MS: String(timeoutMs),
    });
    try {
      // A form as browsers send it (read by multer), and an inference request.
      const uploads = [
        {
          path: '/v1/classifications',
          contentType: 'multipart/form-data; boundary=cut',
          start:
            '--cut\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n' +
            'Content-Type: image/png\r\n\r\n\x89PNG',
        },
        {
          path: '/v2/models/any/infer',
          contentType: 'application/json',
          start: '{"inputs":',
        },
      ];
      for (const { path, contentType, start } of uploads) {
        // Admitted, then trickling: without a deadline it would hold the only place for as
        // long as Node.js waits for a request body (five minutes).
        const trickling = startUpload(impatient, path, 1000, { contentType });
        trickling.request.write(start);
        const answer = await withTimeout(
          trickling.answer,
          30_000,
          `${path}: no answer in 30 s`,
        );
        trickling.request.destroy();
        assert.equal(answer.status, 408, path);
        assert.equal(answer.headers.connection, 'close', path);
        const { message } = JSON.parse(answer.body) as { message: string };
        assert.equal(
          message,
          `the request body did not arrive within ${timeoutMs} ms of its headers (CLASSIFY_TIMEOUT_MS)`,
        );
        await waitFor(
          async () =>
            (await metric(impatient, 'gateway_admitted_requests_in_flight')) ===
            0,
        );
        const next = await fetch(`${impatient.url}/v1/classifications`, {
          method: 'POST',
          body: 'not an image',
          headers: { 'content-type': 'text/plain' },
        });
        assert.equal(next.status, 415, `${path}: the place was not given back`);
      }
      assert.deepEqual(
        impatient.output.filter((line) => line.includes('ExceptionsHandler')),
        [],
        'a cut upload was logged as a server fault',
      );
    } finally {
      await impatient.stop();
    }
  });

  it('reads raw image bodies on the classification route only', async () => {
    // Another route leaves an image body unread: the method is not allowed there, the body not
    // refused as too large.
    const response = await fetch(`${gateway.url}/v1/labels`, {
      method: 'POST',
      body: new Uint8Array(11 * 1024 * 1024),
      headers: { 'content-type': 'image/png' },
    });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'GET, HEAD, OPTIONS');
  });
});
