import {
  makeCounterProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';

export const ClassifierMetrics = {
  images: 'classifier_images_total',
  requests: 'classifier_requests_total',
  expired: 'classifier_expired_requests_total',
  batchImages: 'classifier_batch_images',
  inferenceSeconds: 'classifier_inference_seconds',
} as const;

export const classifierMetricProviders = [
  makeCounterProvider({
    name: ClassifierMetrics.images,
    help: 'Images classified, by predicted label',
    labelNames: ['label'],
  }),
  makeCounterProvider({
    name: ClassifierMetrics.requests,
    help: 'Requests consumed from fashion-images, by outcome (answered, refused, expired, dead_lettered)',
    labelNames: ['outcome'],
  }),
  makeCounterProvider({
    name: ClassifierMetrics.expired,
    help: 'Requests dropped because their deadline had passed, by where it was found (received, batched)',
    labelNames: ['stage'],
  }),
  makeHistogramProvider({
    name: ClassifierMetrics.batchImages,
    help: 'Images per model call: how well micro-batching works',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
  }),
  makeHistogramProvider({
    name: ClassifierMetrics.inferenceSeconds,
    help: 'Duration of one model call, in seconds',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5],
  }),
];
