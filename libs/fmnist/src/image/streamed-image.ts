import {
  STREAM_CONTENT_TYPE_HEADER,
  TENSOR_CONTENT_TYPE,
} from '../contracts/stream.contract.js';
import { ImageDecodeError } from './image-decode-error.js';
import { IMAGE_PIXELS } from './image-format.js';
import { preprocessImage } from './preprocess.js';

/** A Kafka message's headers, as its clients give them. */
export type MessageHeaders = Record<
  string,
  Buffer | string | (Buffer | string)[] | undefined
>;

/**
 * The model's 28x28 image in a streamed value: taken as is when its header says it is a tensor,
 * otherwise decoded and preprocessed as an image file of any accepted format (the same
 * preprocessing as uploads to the gateway). Throws ImageDecodeError naming what is wrong. What
 * the streaming path classifies, and what a replay of its input classifies again.
 */
export async function streamedImage(
  value: Buffer | null,
  headers: MessageHeaders | undefined,
): Promise<Uint8Array> {
  if (!value || value.length === 0) {
    throw new ImageDecodeError('empty', 'the message has no value');
  }
  if (contentType(headers) === TENSOR_CONTENT_TYPE) {
    if (value.length !== IMAGE_PIXELS) {
      throw new ImageDecodeError(
        'corrupt',
        `a ${TENSOR_CONTENT_TYPE} value must be ${IMAGE_PIXELS} bytes (28x28 grayscale), not ${value.length}`,
      );
    }
    return new Uint8Array(value.buffer, value.byteOffset, IMAGE_PIXELS);
  }
  return (await preprocessImage(value)).pixels;
}

function contentType(headers: MessageHeaders | undefined): string | undefined {
  const header = headers?.[STREAM_CONTENT_TYPE_HEADER];
  const value = Array.isArray(header) ? header[0] : header;
  return value === undefined
    ? undefined
    : String(value).split(';')[0].trim().toLowerCase();
}
