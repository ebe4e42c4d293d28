import {
  type DynamicModule,
  type MiddlewareConsumer,
  Module,
  type NestModule,
} from '@nestjs/common';
import {
  makeCounterProvider,
  makeHistogramProvider,
  PrometheusModule,
} from '@willsoto/nestjs-prometheus';
import {
  HTTP_DURATION,
  HTTP_REQUESTS,
  HttpMetricsMiddleware,
} from './http-metrics.middleware.js';

/** Prometheus metrics at /metrics: the process's defaults and every HTTP request. */
@Module({})
export class MetricsModule implements NestModule {
  static forApp(app: string): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      imports: [
        PrometheusModule.register({
          path: '/metrics',
          defaultLabels: { app },
          defaultMetrics: { enabled: true },
        }),
      ],
      providers: [
        makeCounterProvider({
          name: HTTP_REQUESTS,
          help: 'HTTP requests answered, by method, route pattern and status',
          labelNames: ['method', 'route', 'status'],
        }),
        makeHistogramProvider({
          name: HTTP_DURATION,
          help: 'Time to answer an HTTP request, in seconds',
          labelNames: ['method', 'route', 'status'],
          buckets: [
            0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
          ],
        }),
        HttpMetricsMiddleware,
      ],
      exports: [PrometheusModule],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*');
  }
}
