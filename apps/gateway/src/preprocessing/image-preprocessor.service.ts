import {
  Injectable,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import pLimit, { type LimitFunction } from 'p-limit';
import sharp from 'sharp';
import {
  ImageDecodeError,
  preprocessImage,
  readImageHeader,
  type ImageHeader,
} from '#fmnist';
import { uploadError } from '../classification/classification.errors.js';
import type { Upload } from '../classification/upload.js';
import type { GatewayEnvironment } from '../config/gateway.environment.js';

/**
 * Uploads to the model's 28x28 images, with the gateway's CPU in mind: decodes run at most
 * DECODE_CONCURRENCY at a time (libvips' threads, off the event loop), each on one thread, and
 * every upload's size is checked from its header against the per-image and per-request pixel caps
 * before anything is decoded.
 */
@Injectable()
export class ImagePreprocessorService {
  private readonly decodes: LimitFunction;
  private readonly maxPixels: number;
  private readonly maxRequestPixels: number;

  constructor(config: ConfigService<GatewayEnvironment, true>) {
    this.decodes = pLimit(config.get('DECODE_CONCURRENCY', { infer: true }));
    this.maxPixels = config.get('MAX_IMAGE_PIXELS', { infer: true });
    this.maxRequestPixels = config.get('MAX_REQUEST_PIXELS', { infer: true });
    // Parallelism comes from the bounded decodes; threads within one decode would only compete.
    sharp.concurrency(1);
    // No upload is decoded twice: libvips' operation cache would only hold memory (up to 50 MB).
    sharp.cache(false);
  }

  /** Whether uploads are being decoded or wait for their turn. */
  get decoding(): boolean {
    return this.decodes.activeCount + this.decodes.pendingCount > 0;
  }

  /** The 784 bytes of each upload, in order; a 4xx naming the upload for any it refuses. */
  async preprocess(uploads: Upload[]): Promise<Uint8Array[]> {
    for (const upload of uploads) {
      if (!isImageType(upload.declaredType)) {
        throw new UnsupportedMediaTypeException(
          `${upload.source}: declared as ${upload.declaredType}, not an image`,
        );
      }
    }
    const headers = await Promise.all(
      uploads.map((upload) =>
        this.decoded(upload, () =>
          readImageHeader(upload.bytes, { maxPixels: this.maxPixels }),
        ),
      ),
    );
    this.checkRequestPixels(headers);
    return Promise.all(
      uploads.map(async (upload, index) => {
        const { pixels } = await this.decoded(upload, () =>
          preprocessImage(upload.bytes, {
            maxPixels: this.maxPixels,
            header: headers[index],
          }),
        );
        return pixels;
      }),
    );
  }

  private async decoded<T>(upload: Upload, work: () => Promise<T>) {
    try {
      return await this.decodes(work);
    } catch (error) {
      if (error instanceof ImageDecodeError) {
        throw uploadError(upload.source, error);
      }
      throw error;
    }
  }

  private checkRequestPixels(headers: ImageHeader[]): void {
    const total = headers.reduce(
      (sum, { width, height }) => sum + width * height,
      0,
    );
    if (headers.length > 1 && total > this.maxRequestPixels) {
      throw new PayloadTooLargeException(
        `the images hold ${megapixels(total)} megapixels together, more than the ` +
          `${megapixels(this.maxRequestPixels)} accepted in one request (MAX_REQUEST_PIXELS)`,
      );
    }
  }
}

const megapixels = (pixels: number) => +(pixels / 1_000_000).toFixed(1);

/** Clients that cannot tell the type (curl for an unknown extension) send octet-stream. */
function isImageType(contentType: string): boolean {
  return (
    contentType.startsWith('image/') ||
    contentType === 'application/octet-stream'
  );
}
