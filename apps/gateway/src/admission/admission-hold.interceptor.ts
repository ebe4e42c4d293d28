import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request } from 'express';
import { finalize, type Observable } from 'rxjs';
import { AdmissionControlService } from './admission-control.service.js';

/** An admitted request keeps its share until its handler is done, even if its client left. */
@Injectable()
export class AdmissionHoldInterceptor implements NestInterceptor {
  constructor(private readonly admission: AdmissionControlService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const release = this.admission.hold(
      context.switchToHttp().getRequest<Request>(),
    );
    return release ? next.handle().pipe(finalize(release)) : next.handle();
  }
}
