import { Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { AdmissionControlService } from './admission-control.service.js';
import { AdmissionHoldInterceptor } from './admission-hold.interceptor.js';
import { AdmissionScreen } from './admission.screen.js';
import { admissionMetricProviders } from './admission.metrics.js';
import { RetryAfterFilter } from './retry-after.filter.js';

/**
 * Capacity limits of the image endpoints (see AdmissionControlService). main.ts puts
 * AdmissionScreen in front of the application, for every request: it picks out the image
 * requests itself and answers the others' `Expect: 100-continue`.
 */
@Module({
  providers: [
    AdmissionControlService,
    AdmissionScreen,
    ...admissionMetricProviders,
    { provide: APP_INTERCEPTOR, useClass: AdmissionHoldInterceptor },
    { provide: APP_FILTER, useClass: RetryAfterFilter },
  ],
  exports: [AdmissionControlService, AdmissionScreen],
})
export class AdmissionModule {}
