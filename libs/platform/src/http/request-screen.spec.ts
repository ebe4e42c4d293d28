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

  it('answers 500 for a screen that fails, and serves on', async () => {
    const server = createServer((request, response) =>
      response.end('application'),
    );
    screenRequests(server, (request) => {
      if (request.url === '/fault') throw new Error('a fault of the screen');
      return false;
    });
    await new Promise<void>((resolve) => server.listen(0, resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const fault = await fetch(`http://127.0.0.1:${port}/fault`);
      assert.equal(fault.status, 500);
      assert.equal(
        ((await fault.json()) as { message: string }).message,
        'Internal server error',
      );
      const next = await fetch(`http://127.0.0.1:${port}/next`);
      assert.equal(await next.text(), 'application');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
