import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { closesRatherThanReads } from './unread-body.js';

const request = (
  headers: Record<string, string>,
  complete = false,
): IncomingMessage => ({ headers, complete }) as unknown as IncomingMessage;

describe('closesRatherThanReads', () => {
  it('keeps the connection of a request whose body has all been read', () => {
    assert.equal(
      closesRatherThanReads(request({ 'content-length': '10000000' }, true)),
      false,
    );
  });

  it('keeps the connection of a request without a body', () => {
    assert.equal(closesRatherThanReads(request({ host: 'a.example' })), false);
  });

  it('has the rest of a body of up to 512 KiB read and dropped', () => {
    for (const length of ['0', '20000', String(512 * 1024)]) {
      assert.equal(
        closesRatherThanReads(request({ 'content-length': length })),
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
        closesRatherThanReads(request(headers)),
        true,
        JSON.stringify(headers),
      );
    }
  });

  it('closes when the client holds its body back until told to send it', () => {
    assert.equal(
      closesRatherThanReads(
        request({ 'content-length': '100', expect: '100-continue' }),
      ),
      true,
    );
  });
});
