import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { routePath, screenRequests } from './request-screen.js';

const withUrl = (url: string) => ({ url }) as IncomingMessage;

describe('routePath', () => {
  it('is the path without its query', () => {
    assert.equal(routePath(withUrl('/v1/previews?source=a/b')), '/v1/previews');
  });

  it('ignores case and one trailing slash, as Express routing does', () => {
    assert.equal(
      routePath(withUrl('/V1/Classifications/')),
      '/v1/classifications',
    );
    assert.equal(routePath(withUrl('/v1/labels/?x=1')), '/v1/labels');
  });

  it('keeps the root', () => {
    assert.equal(routePath(withUrl('/')), '/');
    assert.equal(routePath(withUrl('/?x=1')), '/');
  });
});

describe('screenRequests', () => {
  it('lets the application serve only the requests the screen did not answer', async () => {
    const served: string[] = [];
    const server = createServer((request, response) => {
      served.push(request.url!);
      response.end('application');
    });
    screenRequests(server, (request, response) => {
      if (!request.url!.startsWith('/refused')) return false;
      response.statusCode = 503;
      response.end('screen');
      return true;
    });
    await new Promise<void>((resolve) => server.listen(0, resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const answers = [];
      for (const path of ['/refused', '/served', '/refused/again']) {
        const response = await fetch(`http://127.0.0.1:${port}${path}`);
        answers.push(`${response.status} ${await response.text()}`);
      }
      assert.deepEqual(answers, [
        '503 screen',
        '200 application',
        '503 screen',
      ]);
      assert.deepEqual(served, ['/served']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
