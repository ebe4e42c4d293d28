import { Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { AdmissionControl } from './admission-control.service.js';
import { AdmissionHoldInterceptor } from './admission-hold.interceptor.js';
import { AdmissionMiddleware } from './admission.middleware.js';
import { admissionMetricProviders } from './admission.metrics.js';
import { RetryAfterFilter } from './retry-after.filter.js';

/**
 * Capacity limits of the image endpoints (see AdmissionControl). Each feature module binds
 * AdmissionMiddleware to its image routes, ahead of whatever reads the body.
 */
@Module({
  providers: [
    AdmissionControl,
    AdmissionMiddleware,
    ...admissionMetricProviders,
    { provide: APP_INTERCEPTOR, useClass: AdmissionHoldInterceptor },
    { provide: APP_FILTER, useClass: RetryAfterFilter },
  ],
  exports: [AdmissionControl, AdmissionMiddleware],
})
export class AdmissionModule {}
