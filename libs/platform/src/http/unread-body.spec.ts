import assert from 'node:assert/strict';
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { describe, it } from 'node:test';
import { hasCostlyUnreadBody, lingerOverUnreadBodies } from './unread-body.js';

const request = (
  headers: Record<string, string>,
  complete = false,
): IncomingMessage => ({ headers, complete }) as unknown as IncomingMessage;

describe('hasCostlyUnreadBody', () => {
  it('keeps the connection of a request whose body has all been read', () => {
    assert.equal(
      hasCostlyUnreadBody(request({ 'content-length': '10000000' }, true)),
      false,
    );
  });

  it('keeps the connection of a request without a body', () => {
    assert.equal(hasCostlyUnreadBody(request({ host: 'a.example' })), false);
  });

  it('has the rest of a body of up to 512 KiB read and dropped', () => {
    for (const length of ['0', '20000', String(512 * 1024)]) {
      assert.equal(
        hasCostlyUnreadBody(request({ 'content-length': length })),
        false,
        length,
      );
    }
  });

  it('closes rather than read a larger body, or one of unknown length', () => {
    const bodies: Record<string, string>[] = [
      { 'content-length': String(512 * 1024 + 1) },
      { 'transfer-encoding': 'chunked' },
      { 'content-length': 'many' },
    ];
    for (const headers of bodies) {
      assert.equal(
        hasCostlyUnreadBody(request(headers)),
        true,
        JSON.stringify(headers),
      );
    }
  });

  it('closes when the client holds its body back until told to send it', () => {
    assert.equal(
      hasCostlyUnreadBody(
        request({ 'content-length': '100', expect: '100-continue' }),
      ),
      true,
    );
  });
});

describe('lingerOverUnreadBodies', () => {
  it('leaves nothing attached to a kept-alive connection once a body has been read', async () => {
    let serverSocket: Socket | undefined;
    const server = createServer((request, response) => {
      serverSocket = request.socket;
      lingerOverUnreadBodies(request, response, () => {
        response.statusCode = 405;
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, resolve));
    const { port } = server.address() as AddressInfo;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const body = Buffer.alloc(20_000);
      const closeListeners: number[] = [];
      for (let sent = 0; sent < 20; sent++) {
        await new Promise<void>((resolve, reject) => {
          // Chunked (no Content-Length): a body of unknown length, lingered over.
          const request = httpRequest(
            { port, method: 'POST', agent },
            (response) => {
              // Answered before the body's end, which the client sends now.
              request.end(body);
              response.resume();
              response.once('end', resolve);
            },
          );
          request.once('error', reject);
          request.write(body);
        });
        // The body is read after the answer: give it the time to arrive.
        await new Promise((resolve) => setTimeout(resolve, 20));
        closeListeners.push(serverSocket!.listenerCount('close'));
      }
      assert.ok(
        Math.max(...closeListeners) <= closeListeners[0],
        `'close' listeners on the connection: ${closeListeners.join(', ')}`,
      );
    } finally {
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
