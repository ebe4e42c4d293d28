import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { withTimeout } from '#platform';
import { startProbeApp } from './probe-app.js';

@Controller('probe')
class ProbeController {
  @Get('ping')
  ping(): string {
    return 'pong';
  }
}

/** One GET on `socket`, read to the end of its answer (the answer's headers, lower-cased). */
async function get(socket: Socket): Promise<Record<string, string>> {
  socket.write('GET /probe/ping HTTP/1.1\r\nHost: probe\r\n\r\n');
  let received = '';
  for (;;) {
    const [chunk] = (await withTimeout(
      once(socket, 'data'),
      5_000,
      'the answer',
    )) as [Buffer];
    received += chunk.toString('latin1');
    const end = received.indexOf('\r\n\r\n');
    if (end < 0) continue;
    const headers = Object.fromEntries(
      received
        .slice(0, end)
        .split('\r\n')
        .slice(1)
        .map((line) => {
          const colon = line.indexOf(':');
          return [
            line.slice(0, colon).toLowerCase(),
            line.slice(colon + 1).trim(),
          ];
        }),
    );
    if (received.length - end - 4 >= Number(headers['content-length'])) {
      return headers;
    }
  }
}

describe('how long every app keeps an idle connection (HTTP_KEEP_ALIVE_TIMEOUT_MS)', () => {
  let app: INestApplication;
  let url: URL;
  const sockets: Socket[] = [];

  const open = async () => {
    const socket = connect(Number(url.port), url.hostname);
    sockets.push(socket);
    await once(socket, 'connect');
    let closed = false;
    socket.once('close', () => (closed = true));
    return { socket, isClosed: () => closed };
  };

  before(async () => {
    process.env.HTTP_KEEP_ALIVE_TIMEOUT_MS = '8000';
    try {
      const started = await startProbeApp([ProbeController]);
      app = started.app;
      url = new URL(started.url);
    } finally {
      delete process.env.HTTP_KEEP_ALIVE_TIMEOUT_MS;
    }
  });

  after(async () => {
    for (const socket of sockets) socket.destroy();
    await app?.close();
  });

  it('keeps an idle connection as long as configured, for a proxy in front that reuses its connections, then closes it', async () => {
    const reused = await open();
    const idle = await open();
    for (const { socket } of [reused, idle]) {
      assert.equal((await get(socket))['keep-alive'], 'timeout=8');
    }
    // Past the 5 s (and the second of grace) Node.js keeps a connection by default: a proxy that
    // reused one now would have its request fail.
    await sleep(6_500);
    assert.ok(!reused.isClosed(), 'the connection is still open at 6.5 s');
    assert.equal((await get(reused.socket))['keep-alive'], 'timeout=8');
    await sleep(4_000);
    assert.ok(idle.isClosed(), 'the connection left idle was closed by 10.5 s');
    assert.ok(!reused.isClosed(), 'the connection used at 6.5 s is still open');
  });
});
