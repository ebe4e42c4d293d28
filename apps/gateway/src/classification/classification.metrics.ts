import {
  makeCounterProvider,
  makeGaugeProvider,
} from '@willsoto/nestjs-prometheus';

export const GatewayMetrics = {
  classified: 'gateway_classified_images_total',
  failures: 'gateway_classification_failures_total',
  inFlight: 'gateway_kafka_requests_in_flight',
  resent: 'gateway_resent_requests_total',
} as const;

export const gatewayMetricProviders = [
  makeCounterProvider({
    name: GatewayMetrics.classified,
    help: 'Images classified, by predicted label',
    labelNames: ['label'],
  }),
  makeCounterProvider({
    name: GatewayMetrics.failures,
    help: 'Classification requests that failed after upload, by HTTP status',
    labelNames: ['status'],
  }),
  makeGaugeProvider({
    name: GatewayMetrics.inFlight,
    help: 'Classification requests sent to Kafka and awaiting a reply',
  }),
  makeCounterProvider({
    name: GatewayMetrics.resent,
    help: 'Classification requests sent again to another partition, no reply having come in time',
  }),
];
