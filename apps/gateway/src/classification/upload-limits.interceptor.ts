import {
  BadRequestException,
  type CallHandler,
  type ExecutionContext,
  HttpException,
  Injectable,
  type NestInterceptor,
  PayloadTooLargeException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import multer from 'multer';
import { catchError, throwError, type Observable } from 'rxjs';
import type { GatewayEnvironment } from '../config/gateway.environment.js';

/**
 * Names the limit an upload broke: multer only says "Too many files" or "File too large". Bound
 * outside the interceptor that runs multer, so it sees multer's errors.
 */
@Injectable()
export class UploadLimitsInterceptor implements NestInterceptor {
  private readonly maxImages: number;
  private readonly maxBytes: number;

  constructor(config: ConfigService<GatewayEnvironment, true>) {
    this.maxImages = config.get('MAX_IMAGES_PER_UPLOAD', { infer: true });
    this.maxBytes = config.get('MAX_UPLOAD_BYTES', { infer: true });
  }

  intercept(
    _context: ExecutionContext,
    next: CallHandler,
  ): Observable<unknown> {
    return next
      .handle()
      .pipe(
        catchError((error: unknown) => throwError(() => this.named(error))),
      );
  }

  private named(error: unknown): unknown {
    const cause = error instanceof HttpException ? error.cause : undefined;
    if (!(cause instanceof multer.MulterError)) return error;
    switch (cause.code) {
      case 'LIMIT_FILE_COUNT':
        return new BadRequestException(
          `too many files: at most ${this.maxImages} images per request`,
          { cause },
        );
      case 'LIMIT_FILE_SIZE': {
        // multer 2 sets the client's file name; its type definitions lag behind.
        const { filename } = cause as { filename?: string };
        return new PayloadTooLargeException(
          `${filename ?? 'a file'} is too large: at most ${this.maxBytes} bytes per image`,
          { cause },
        );
      }
      default:
        return error;
    }
  }
}
