import { BadRequestException } from '@nestjs/common';

/** The binary tensor data extension's header: the length of the JSON that starts the body. */
export const INFERENCE_HEADER_LENGTH = 'inference-header-content-length';

/** A body split as the binary tensor data extension lays it out: JSON header, then tensors' bytes. */
export interface InferenceBody {
  readonly header: unknown;
  readonly binary: Buffer;
}

/** Splits the body at `Inference-Header-Content-Length`; without it, the body is all JSON. */
export function splitInferenceBody(
  body: Buffer,
  headerLength: string | undefined,
): InferenceBody {
  let length = body.length;
  if (headerLength !== undefined) {
    length = Number(headerLength);
    if (!/^\d+$/.test(headerLength) || length < 1 || length > body.length) {
      throw new BadRequestException(
        `Inference-Header-Content-Length must be the length of the JSON header, from 1 to the body's ${body.length} bytes; it is '${headerLength}'`,
      );
    }
  }
  let header: unknown;
  try {
    header = JSON.parse(body.subarray(0, length).toString('utf8'));
  } catch (error) {
    throw new BadRequestException(
      `malformed JSON in the inference request: ${(error as Error).message}`,
    );
  }
  return { header, binary: body.subarray(length) };
}

/**
 * Hands out the binary section in the order the inputs declare their `binary_data_size`, and
 * knows whether it was used up: bytes nobody declared are a malformed request.
 */
export class BinarySection {
  private offset = 0;

  constructor(private readonly bytes: Buffer) {}

  take(size: number, input: string): Buffer {
    if (this.offset + size > this.bytes.length) {
      throw new BadRequestException(
        `input '${input}' declares ${size} bytes of binary data, but only ${this.bytes.length - this.offset} follow the JSON header`,
      );
    }
    const chunk = this.bytes.subarray(this.offset, this.offset + size);
    this.offset += size;
    return chunk;
  }

  assertUsedUp(): void {
    const left = this.bytes.length - this.offset;
    if (left > 0) {
      throw new BadRequestException(
        `${left} bytes of binary data follow the inputs' declared binary_data_size`,
      );
    }
  }
}

/** BYTES elements as the extension packs them: each a 4-byte little-endian length, then its bytes. */
export function packBytesElements(elements: readonly Buffer[]): Buffer {
  const packed = Buffer.alloc(
    elements.reduce((sum, element) => sum + 4 + element.length, 0),
  );
  let offset = 0;
  for (const element of elements) {
    packed.writeUInt32LE(element.length, offset);
    element.copy(packed, offset + 4);
    offset += 4 + element.length;
  }
  return packed;
}

export function unpackBytesElements(packed: Buffer, input: string): Buffer[] {
  const elements: Buffer[] = [];
  let offset = 0;
  while (offset < packed.length) {
    if (offset + 4 > packed.length) {
      throw new BadRequestException(
        `input '${input}': the binary BYTES data ends inside an element's 4-byte length`,
      );
    }
    const length = packed.readUInt32LE(offset);
    if (offset + 4 + length > packed.length) {
      throw new BadRequestException(
        `input '${input}': a BYTES element declares ${length} bytes, more than the binary data holds`,
      );
    }
    elements.push(packed.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return elements;
}
