import {
  makeCounterProvider,
  makeGaugeProvider,
} from '@willsoto/nestjs-prometheus';

export const AdmissionMetrics = {
  requests: 'gateway_admitted_requests_in_flight',
  bytes: 'gateway_admitted_bytes_in_flight',
  refused: 'gateway_refused_requests_total',
} as const;

/** Why a request was refused at once: which bound it met. */
export type RefusalReason = 'requests' | 'bytes' | 'kafka_queue';

export const admissionMetricProviders = [
  makeGaugeProvider({
    name: AdmissionMetrics.requests,
    help: 'Image requests admitted and not yet finished (MAX_REQUESTS_IN_FLIGHT)',
  }),
  makeGaugeProvider({
    name: AdmissionMetrics.bytes,
    help: 'Upload bytes declared by the requests in flight (MAX_BYTES_IN_FLIGHT)',
  }),
  makeCounterProvider({
    name: AdmissionMetrics.refused,
    help: 'Image requests answered 503 at once for want of capacity, by the bound they met (requests, bytes, kafka_queue)',
    labelNames: ['reason'],
  }),
];
