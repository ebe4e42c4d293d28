import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AdmissionControlService } from './admission-control.service.js';

/** Admits an image request before anything reads its body (bind it before the body parsers). */
@Injectable()
export class AdmissionMiddleware implements NestMiddleware {
  constructor(private readonly admission: AdmissionControlService) {}

  use(request: Request, response: Response, next: NextFunction): void {
    this.admission.admit(request, response);
    next();
  }
}
