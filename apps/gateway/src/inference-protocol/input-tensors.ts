import { BadRequestException } from '@nestjs/common';
import { IMAGE_PIXELS } from '#fmnist';
import { unpackBytesElements } from './binary-tensor-data.js';
import { isImagesShape, Tensors } from './model-signature.js';

/** One input tensor of a request: its JSON description, and its bytes when sent as binary. */
export interface InputTensor {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
  readonly data?: unknown[];
  readonly binary?: Buffer;
}

/** What a request's input gives the model: 28x28 images already, or image files to preprocess. */
export type ModelInput =
  | { readonly kind: 'pixels'; readonly images: Uint8Array[] }
  | { readonly kind: 'files'; readonly files: Buffer[] };

const BYTES_PER_ELEMENT: Record<string, number> = { UINT8: 1, FP32: 4 };
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Checks a request's one input against the model's signature; a 400 naming what is wrong. */
export function decodeInput(
  tensor: InputTensor,
  maxImages: number,
): ModelInput {
  if (tensor.data !== undefined && tensor.binary !== undefined) {
    throw bad(tensor, 'has both data and binary_data_size: send one of them');
  }
  if (tensor.data === undefined && tensor.binary === undefined) {
    throw bad(
      tensor,
      'has no data: send data, or binary_data_size and the bytes',
    );
  }
  switch (tensor.name) {
    case Tensors.images:
      return { kind: 'pixels', images: decodeImages(tensor, maxImages) };
    case Tensors.imageFiles:
      return { kind: 'files', files: decodeFiles(tensor, maxImages) };
    default:
      throw new BadRequestException(
        `unknown input '${tensor.name}': the model takes '${Tensors.images}' (UINT8 or FP32, ` +
          `[N, 28, 28] or [N, 784]) or '${Tensors.imageFiles}' (BYTES, [N])`,
      );
  }
}

function decodeImages(tensor: InputTensor, maxImages: number): Uint8Array[] {
  const bytesPerElement = BYTES_PER_ELEMENT[tensor.datatype];
  if (bytesPerElement === undefined) {
    throw bad(
      tensor,
      `has datatype ${tensor.datatype}: it takes UINT8 (pixels 0 to 255) or FP32 (0 to 1)`,
    );
  }
  if (!isImagesShape(tensor.shape)) {
    throw bad(
      tensor,
      `has shape ${describeShape(tensor.shape)}: it takes [N, 28, 28], [N, 784] or [N, 28, 28, 1]`,
    );
  }
  const count = imageCount(tensor, maxImages);
  const elements = count * IMAGE_PIXELS;
  const pixels = new Uint8Array(elements);
  if (tensor.binary) {
    const expected = elements * bytesPerElement;
    if (tensor.binary.length !== expected) {
      throw bad(
        tensor,
        `holds ${tensor.binary.length} bytes of binary data; ${describeShape(tensor.shape)} ${tensor.datatype} is ${expected} bytes`,
      );
    }
    const view = new DataView(
      tensor.binary.buffer,
      tensor.binary.byteOffset,
      tensor.binary.length,
    );
    for (let i = 0; i < elements; i++) {
      pixels[i] =
        bytesPerElement === 1
          ? view.getUint8(i)
          : toPixel(view.getFloat32(i * 4, true), tensor);
    }
  } else {
    const data = flatData(tensor, elements);
    for (let i = 0; i < elements; i++) {
      pixels[i] =
        bytesPerElement === 1
          ? toByte(data[i], tensor)
          : toPixel(data[i], tensor);
    }
  }
  return Array.from({ length: count }, (_, index) =>
    pixels.subarray(index * IMAGE_PIXELS, (index + 1) * IMAGE_PIXELS),
  );
}

function decodeFiles(tensor: InputTensor, maxImages: number): Buffer[] {
  if (tensor.datatype !== 'BYTES') {
    throw bad(
      tensor,
      `has datatype ${tensor.datatype}: it takes BYTES (image files)`,
    );
  }
  if (tensor.shape.length !== 1) {
    throw bad(
      tensor,
      `has shape ${describeShape(tensor.shape)}: it takes [N], one image file per element`,
    );
  }
  const count = imageCount(tensor, maxImages);
  const files = tensor.binary
    ? unpackBytesElements(tensor.binary, tensor.name)
    : flatData(tensor, count).map((element) => fromBase64(element, tensor));
  if (files.length !== count) {
    throw bad(
      tensor,
      `holds ${files.length} BYTES elements; its shape ${describeShape(tensor.shape)} says ${count}`,
    );
  }
  return files;
}

function imageCount(tensor: InputTensor, maxImages: number): number {
  const count = tensor.shape[0];
  if (count < 1 || count > maxImages) {
    throw bad(
      tensor,
      `holds ${count} images: send from 1 to ${maxImages} in one request (MAX_IMAGES_PER_UPLOAD)`,
    );
  }
  return count;
}

/** JSON data, flat or nested as deep as the shape, with as many elements as the shape says. */
function flatData(tensor: InputTensor, elements: number): unknown[] {
  const data = (tensor.data ?? []).flat(tensor.shape.length - 1);
  if (data.length !== elements || data.some(Array.isArray)) {
    throw bad(
      tensor,
      `holds ${data.length} elements; its shape ${describeShape(tensor.shape)} says ${elements}`,
    );
  }
  return data;
}

function toByte(value: unknown, tensor: InputTensor): number {
  if (
    !Number.isInteger(value) ||
    (value as number) < 0 ||
    (value as number) > 255
  ) {
    throw bad(
      tensor,
      `holds ${describeValue(value)}: UINT8 pixels are whole numbers from 0 to 255`,
    );
  }
  return value as number;
}

/** FP32 is the model's own view, pixel / 255; Kafka carries bytes, so it is rounded to one. */
function toPixel(value: unknown, tensor: InputTensor): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw bad(
      tensor,
      `holds ${describeValue(value)}: FP32 pixels are numbers from 0 to 1 (pixel / 255)`,
    );
  }
  return Math.round(value * 255);
}

function fromBase64(value: unknown, tensor: InputTensor): Buffer {
  if (typeof value !== 'string' || !BASE64.test(value)) {
    throw bad(
      tensor,
      'holds an element that is not a base64 string: in JSON, each image file is base64-encoded',
    );
  }
  return Buffer.from(value, 'base64');
}

function describeValue(value: unknown): string {
  const text =
    typeof value === 'number'
      ? String(value)
      : (JSON.stringify(value) ?? 'undefined');
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

function bad(tensor: InputTensor, problem: string): BadRequestException {
  return new BadRequestException(`input '${tensor.name}' ${problem}`);
}

export function describeShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
