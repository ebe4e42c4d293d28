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
import type { Request } from 'express';
import multer from 'multer';
import { catchError, throwError, type Observable } from 'rxjs';
import type { GatewayEnvironment } from '../config/gateway.environment.js';

/**
 * Names what stopped an upload being read: the limit it broke (multer only says "Too many files"
 * or "File too large"), or its connection closing before its end (the client gone, or the body
 * cut at its deadline by AdmissionScreen), which multer reports as a bare Error that Nest
 * would log as a server fault. Bound outside the interceptor that runs multer, so it sees
 * multer's errors.
 */
@Injectable()
export class UploadLimitsInterceptor implements NestInterceptor {
  private readonly maxImages: number;
  private readonly maxBytes: number;

  constructor(config: ConfigService<GatewayEnvironment, true>) {
    this.maxImages = config.get('MAX_IMAGES_PER_UPLOAD', { infer: true });
    this.maxBytes = config.get('MAX_UPLOAD_BYTES', { infer: true });
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    return next
      .handle()
      .pipe(
        catchError((error: unknown) =>
          throwError(() => this.named(error, request)),
        ),
      );
  }

  private named(error: unknown, request: Request): unknown {
    if (!(error instanceof HttpException)) {
      return request.destroyed && !request.complete
        ? new BadRequestException(
            'the upload was cut off: its connection closed before the body ended',
            { cause: error },
          )
        : error;
    }
    const cause = error.cause;
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
