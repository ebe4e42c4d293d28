import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import {
  clientAddress,
  crossSiteProblem,
  isLoopbackAddress,
} from './request-origin.js';

const request = (
  headers: Record<string, string>,
  remoteAddress = '127.0.0.1',
): IncomingMessage =>
  ({ headers, socket: { remoteAddress } }) as unknown as IncomingMessage;

describe('crossSiteProblem', () => {
  const host = { host: 'gateway.example:3000' };

  it('refuses a page of another site, by Origin or by Sec-Fetch-Site', () => {
    for (const headers of [
      { ...host, origin: 'http://evil.example' },
      { ...host, origin: 'http://gateway.example:3001' },
      { ...host, origin: 'null' },
      { ...host, 'sec-fetch-site': 'cross-site' },
      { ...host, 'sec-fetch-site': 'same-site' },
    ]) {
      assert.match(
        crossSiteProblem(request(headers), []) ?? '',
        /sent by a page of another site/,
        JSON.stringify(headers),
      );
    }
  });

  it("lets the app's own page, the user and clients that are not browsers through", () => {
    for (const headers of [
      { ...host, origin: 'http://gateway.example:3000' },
      { ...host, origin: 'https://GATEWAY.example:3000' },
      { ...host, 'sec-fetch-site': 'same-origin' },
      { ...host, 'sec-fetch-site': 'none' },
      host,
    ]) {
      assert.equal(
        crossSiteProblem(request(headers), []),
        undefined,
        JSON.stringify(headers),
      );
    }
  });

  it('compares with the host the client addressed when a proxy forwarded the request', () => {
    const forwarded = {
      host: 'trainer:3002',
      'x-forwarded-host': 'gateway.example:3000',
    };
    const from = (origin: string) => ({ ...forwarded, origin });
    assert.equal(
      crossSiteProblem(request(from('http://gateway.example:3000')), []),
      undefined,
    );
    assert.ok(crossSiteProblem(request(from('http://trainer:3002')), []));
  });

  it('lets the origins allowed by CORS_ORIGINS through', () => {
    const headers = {
      ...host,
      origin: 'https://app.example',
      'sec-fetch-site': 'cross-site',
    };
    assert.equal(
      crossSiteProblem(request(headers), ['https://app.example']),
      undefined,
    );
  });
});

describe('clientAddress', () => {
  it('is the peer when no proxy on this machine forwarded the request', () => {
    assert.equal(clientAddress(request({})), '127.0.0.1');
    assert.equal(
      clientAddress(
        request({ 'x-forwarded-for': '127.0.0.1' }, '198.51.100.7'),
      ),
      '198.51.100.7',
      'a header from another machine was trusted',
    );
  });

  it('is the address a proxy on this machine saw: the last of X-Forwarded-For', () => {
    assert.equal(
      clientAddress(
        request({ 'x-forwarded-for': '127.0.0.1, 198.51.100.7' }, '::1'),
      ),
      '198.51.100.7',
    );
  });
});

describe('isLoopbackAddress', () => {
  it('knows loopback in IPv4, IPv6 and IPv4-mapped IPv6', () => {
    for (const address of [
      '127.0.0.1',
      '127.1.2.3',
      '::1',
      '::ffff:127.0.0.1',
    ]) {
      assert.equal(isLoopbackAddress(address), true, address);
    }
    for (const address of ['0.0.0.0', '::', '192.0.2.2', '::ffff:10.0.0.1']) {
      assert.equal(isLoopbackAddress(address), false, address);
    }
  });
});
