import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestException } from '@nestjs/common';
import { packBytesElements } from './binary-tensor-data.js';
import { decodeInput, type InputTensor } from './input-tensors.js';

const MAX_IMAGES = 32;
const decode = (tensor: InputTensor) => decodeInput(tensor, MAX_IMAGES);
const refusal = (tensor: InputTensor, pattern: RegExp) =>
  assert.throws(
    () => decode(tensor),
    (error: unknown) =>
      error instanceof BadRequestException && pattern.test(error.message),
  );

const pixels = Uint8Array.from({ length: 2 * 784 }, (_, i) => i % 256);

describe('input tensors, checked against the model and turned into 28x28 images', () => {
  it('takes UINT8 as binary data, [N, 28, 28] or [N, 784]', () => {
    for (const shape of [
      [2, 28, 28],
      [2, 784],
      [2, 28, 28, 1],
    ]) {
      const input = decode({
        name: 'images',
        datatype: 'UINT8',
        shape,
        binary: Buffer.from(pixels),
      });
      assert.equal(input.kind, 'pixels');
      assert.deepEqual(
        input.kind === 'pixels' && input.images.map((image) => [...image]),
        [[...pixels.subarray(0, 784)], [...pixels.subarray(784)]],
      );
    }
  });

  it("takes FP32 in the model's scale (pixel / 255), nested JSON or little-endian binary, as the same bytes", () => {
    const floats = [...pixels.subarray(0, 784)].map((value) => value / 255);
    const nested = Array.from({ length: 28 }, (_, row) =>
      floats.slice(row * 28, (row + 1) * 28),
    );
    const binary = Buffer.alloc(784 * 4);
    floats.forEach((value, index) => binary.writeFloatLE(value, index * 4));
    for (const tensor of [
      { data: [nested], shape: [1, 28, 28] },
      { data: floats, shape: [1, 784] },
      { binary, shape: [1, 784] },
    ]) {
      const input = decode({ name: 'images', datatype: 'FP32', ...tensor });
      assert.deepEqual(input.kind === 'pixels' && [...input.images[0]], [
        ...pixels.subarray(0, 784),
      ]);
    }
  });

  it('takes image files as BYTES, binary (length-prefixed) or base64 in JSON', () => {
    const files = [Buffer.from('first file'), Buffer.from([0xff, 0xd8, 0xff])];
    for (const tensor of [
      { binary: packBytesElements(files) },
      { data: files.map((file) => file.toString('base64')) },
    ]) {
      const input = decode({
        name: 'image_files',
        datatype: 'BYTES',
        shape: [2],
        ...tensor,
      });
      assert.deepEqual(input.kind === 'files' && input.files, files);
    }
  });

  it('refuses a wrong shape, datatype, byte count or element count, naming it', () => {
    const images = { name: 'images', datatype: 'UINT8' };
    refusal(
      { ...images, shape: [1, 27, 27], binary: Buffer.alloc(729) },
      /shape \[1, 27, 27\]/,
    );
    refusal(
      {
        ...images,
        datatype: 'INT32',
        shape: [1, 784],
        binary: Buffer.alloc(3136),
      },
      /datatype INT32/,
    );
    refusal(
      { ...images, shape: [2, 784], binary: Buffer.alloc(784) },
      /holds 784 bytes of binary data; \[2, 784\] UINT8 is 1568 bytes/,
    );
    refusal(
      { ...images, shape: [1, 784], data: [1, 2, 3] },
      /holds 3 elements; its shape \[1, 784\] says 784/,
    );
    refusal(
      { ...images, shape: [MAX_IMAGES + 1, 784], data: [] },
      /from 1 to 32/,
    );
    refusal(
      { ...images, shape: [0, 784], binary: Buffer.alloc(0) },
      /holds 0 images/,
    );
    refusal(
      {
        name: 'image_files',
        datatype: 'BYTES',
        shape: [2],
        binary: packBytesElements([Buffer.from('x')]),
      },
      /holds 1 BYTES elements; its shape \[2\] says 2/,
    );
  });

  it('refuses pixels out of range, whatever their type', () => {
    const base = { name: 'images', shape: [1, 784] };
    const with_ = (value: unknown) => [
      value,
      ...new Array<number>(783).fill(0),
    ];
    refusal(
      { ...base, datatype: 'UINT8', data: with_(256) },
      /holds 256: UINT8/,
    );
    refusal({ ...base, datatype: 'UINT8', data: with_(1.5) }, /holds 1.5/);
    refusal({ ...base, datatype: 'UINT8', data: with_('7') }, /holds "7"/);
    refusal(
      { ...base, datatype: 'FP32', data: with_(255) },
      /FP32 pixels are numbers from 0 to 1/,
    );
    const nan = Buffer.alloc(784 * 4);
    nan.writeFloatLE(Number.NaN, 0);
    refusal({ ...base, datatype: 'FP32', binary: nan }, /holds NaN/);
  });

  it('refuses an unknown input, one with both or neither of data and binary data, and BYTES that are not base64', () => {
    refusal(
      { name: 'pixels', datatype: 'UINT8', shape: [1, 784], data: [] },
      /unknown input 'pixels'.*'images'.*'image_files'/,
    );
    refusal(
      {
        name: 'images',
        datatype: 'UINT8',
        shape: [1, 784],
        data: [],
        binary: Buffer.alloc(784),
      },
      /both data and binary_data_size/,
    );
    refusal(
      { name: 'images', datatype: 'UINT8', shape: [1, 784] },
      /has no data/,
    );
    refusal(
      {
        name: 'image_files',
        datatype: 'BYTES',
        shape: [1],
        data: ['not base64!'],
      },
      /not a base64 string/,
    );
  });
});
