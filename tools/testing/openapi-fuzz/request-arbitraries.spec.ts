import type { OpenAPIObject } from '@nestjs/swagger';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  describeRequest,
  operationsOf,
  requestArbitrary,
  type FuzzRequest,
} from './request-arbitraries.js';

const document: OpenAPIObject = {
  openapi: '3.0.0',
  info: { title: 'requests', version: '1' },
  paths: {
    '/v1/models/{name}/versions/{version}': {
      get: {
        parameters: [
          {
            name: 'name',
            in: 'path',
            required: true,
            schema: { type: 'string' },
          },
          {
            name: 'version',
            in: 'path',
            required: true,
            schema: { type: 'integer' },
          },
          {
            name: 'count',
            in: 'query',
            schema: { type: 'integer', minimum: 1 },
          },
        ],
        responses: { 200: { description: 'found' } },
      },
    },
    '/v1/previews': {
      post: {
        requestBody: {
          content: {
            'multipart/form-data': {
              schema: {
                type: 'object',
                properties: { file: { type: 'string', format: 'binary' } },
              },
            },
          },
        },
        responses: { 200: { description: 'previewed' } },
      },
    },
  },
};
const [get, post] = operationsOf(document);
const png = {
  name: 'shirt.png',
  type: 'image/png',
  bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
};
const sample = (arbitrary: fc.Arbitrary<FuzzRequest>) =>
  fc.sample(arbitrary, { numRuns: 400, seed: 11 });

describe('requests generated from an OpenAPI operation', () => {
  it('lists the operations of a description', () => {
    assert.deepEqual(
      operationsOf(document).map((operation) => operation.id),
      ['GET /v1/models/{name}/versions/{version}', 'POST /v1/previews'],
    );
  });

  it('sends numerals at the edges of number types in parameters: 2^53 + 1, 2^31, -0, 1e309', () => {
    const targets = fc
      .sample(
        requestArbitrary(document, get, {
          knownValues: { name: ['fashion-cnn:2'] },
        }),
        { numRuns: 3000, seed: 11 },
      )
      .map((request) => request.target);
    for (const numeral of ['9007199254740993', '2147483648', '-0', '1e309']) {
      assert.ok(
        targets.some((target) => target.includes(`/versions/${numeral}`)),
        `no version ${numeral}`,
      );
      assert.ok(
        targets.some((target) =>
          target.includes(`fashion-cnn${encodeURIComponent(':')}${numeral}`),
        ),
        `no fashion-cnn:${numeral}`,
      );
    }
  });

  it('fills every path parameter, with the known values among others', () => {
    const targets = sample(
      requestArbitrary(document, get, {
        knownValues: { name: ['fashion-cnn'] },
      }),
    ).map((request) => request.target);
    assert.ok(targets.every((target) => !/[{}]/.test(target.split('?')[0])));
    assert.ok(
      targets.some((target) => target.startsWith('/v1/models/fashion-cnn/')),
    );
    assert.ok(targets.some((target) => target.includes('%zz')));
    assert.ok(targets.some((target) => /[?&]count=/.test(target)));
  });

  it('sends no body with a GET', () => {
    assert.ok(
      sample(requestArbitrary(document, get)).every((request) => !request.body),
    );
  });

  it('uploads the sample files, damaged ones and others in the binary fields', () => {
    const requests = sample(
      requestArbitrary(document, post, { sampleFiles: [png] }),
    );
    const files = requests.flatMap((request) =>
      request.body?.kind === 'form'
        ? request.body.parts.filter(
            (part) => 'bytes' in part && part.name === 'file',
          )
        : [],
    );
    assert.ok(
      files.some(
        (file) => 'bytes' in file && Buffer.from(file.bytes).equals(png.bytes),
      ),
    );
    assert.ok(files.some((file) => 'bytes' in file && file.bytes.length === 0));
    const types = requests.flatMap((request) =>
      request.body?.kind === 'bytes'
        ? [request.body.contentType ?? 'none']
        : [],
    );
    assert.ok(types.some((type) => type.startsWith('multipart/form-data')));
    assert.ok(types.some((type) => !type.startsWith('multipart/')));
    assert.ok(requests.some((request) => request.body === undefined));
  });

  it('describes a request on one line', () => {
    const line = describeRequest({
      method: 'POST',
      target: '/v1/previews',
      body: {
        kind: 'form',
        parts: [
          {
            name: 'file',
            filename: 'a.png',
            type: 'image/png',
            bytes: png.bytes,
          },
        ],
      },
    });
    assert.equal(
      line,
      'POST /v1/previews [multipart: file=@"a.png" (image/png, 8 bytes: 89504e470d0a1a0a)]',
    );
  });
});
