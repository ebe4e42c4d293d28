import { Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { AdmissionControlService } from './admission-control.service.js';
import { AdmissionHoldInterceptor } from './admission-hold.interceptor.js';
import { AdmissionMiddleware } from './admission.middleware.js';
import { admissionMetricProviders } from './admission.metrics.js';
import { RetryAfterFilter } from './retry-after.filter.js';

/**
 * Capacity limits of the image endpoints (see AdmissionControlService). main.ts binds
 * AdmissionMiddleware ahead of every other middleware, for every route: it picks out the image
 * requests itself and answers the others' `Expect: 100-continue`.
 */
@Module({
  providers: [
    AdmissionControlService,
    AdmissionMiddleware,
    ...admissionMetricProviders,
    { provide: APP_INTERCEPTOR, useClass: AdmissionHoldInterceptor },
    { provide: APP_FILTER, useClass: RetryAfterFilter },
  ],
  exports: [AdmissionControlService, AdmissionMiddleware],
})
export class AdmissionModule {}
