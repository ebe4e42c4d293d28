import {
  makeCounterProvider,
  makeGaugeProvider,
} from '@willsoto/nestjs-prometheus';

export const ModelLoadMetrics = {
  failures: 'classifier_model_load_failures_total',
  fallback: 'classifier_model_fallback',
  loads: 'classifier_model_loads_total',
} as const;

export const modelLoadMetricProviders = [
  makeCounterProvider({
    name: ModelLoadMetrics.failures,
    help: 'Model versions this classifier could not load (corrupt weights, bad checksum, unknown layer), by model and version',
    labelNames: ['model', 'version'],
  }),
  makeCounterProvider({
    name: ModelLoadMetrics.loads,
    help: "Model versions this classifier loaded, by model and version: the only times it reads a version's weights from Kafka",
    labelNames: ['model', 'version'],
  }),
  makeGaugeProvider({
    name: ModelLoadMetrics.fallback,
    help: '1 while this classifier serves another version than the active one, because the active one cannot be loaded',
  }),
];
