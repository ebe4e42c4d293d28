import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestException } from '@nestjs/common';
import {
  BinarySection,
  packBytesElements,
  splitInferenceBody,
  unpackBytesElements,
} from './binary-tensor-data.js';

const isBadRequest = (pattern: RegExp) => (error: unknown) =>
  error instanceof BadRequestException && pattern.test(error.message);

describe('the binary tensor data extension', () => {
  it('splits a body at Inference-Header-Content-Length into the JSON header and the tensors', () => {
    const header = Buffer.from('{"inputs":[]}');
    const body = Buffer.concat([header, Buffer.from([1, 2, 3])]);
    const split = splitInferenceBody(body, String(header.length));
    assert.deepEqual(split.header, { inputs: [] });
    assert.deepEqual([...split.binary], [1, 2, 3]);
    assert.deepEqual(splitInferenceBody(header, undefined).header, {
      inputs: [],
    });
  });

  it('refuses a header length that is not one, or past the body, and malformed JSON', () => {
    const body = Buffer.from('{"inputs":[]}');
    for (const length of ['0', '-1', '1e3', 'abc', String(body.length + 1)]) {
      assert.throws(
        () => splitInferenceBody(body, length),
        isBadRequest(/Inference-Header-Content-Length/),
      );
    }
    assert.throws(
      () => splitInferenceBody(body, '5'),
      isBadRequest(/malformed JSON/),
    );
  });

  it('hands out the binary section in order, and refuses too few or too many bytes', () => {
    const section = new BinarySection(Buffer.from([1, 2, 3, 4, 5]));
    assert.deepEqual([...section.take(2, 'a')], [1, 2]);
    assert.throws(() => section.assertUsedUp(), isBadRequest(/3 bytes/));
    assert.throws(() => section.take(4, 'b'), isBadRequest(/only 3 follow/));
    assert.deepEqual([...section.take(3, 'b')], [3, 4, 5]);
    section.assertUsedUp();
  });

  it('packs BYTES elements with 4-byte little-endian lengths, and unpacks them', () => {
    const elements = [Buffer.from('ab'), Buffer.alloc(0), Buffer.from('xyz')];
    const packed = packBytesElements(elements);
    assert.deepEqual([...packed.subarray(0, 6)], [2, 0, 0, 0, 0x61, 0x62]);
    assert.deepEqual(unpackBytesElements(packed, 'files'), elements);
    assert.throws(
      () => unpackBytesElements(packed.subarray(0, packed.length - 1), 'files'),
      isBadRequest(/declares 3 bytes/),
    );
    assert.throws(
      () => unpackBytesElements(Buffer.from([1, 0]), 'files'),
      isBadRequest(/inside an element's 4-byte length/),
    );
  });
});
