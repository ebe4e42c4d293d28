import { type DynamicModule, Module, ValidationPipe } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import type { ClassConstructor } from 'class-transformer';
import type { PlatformEnvironment } from './config/platform.environment.js';
import { validateEnvironment } from './config/validate-environment.js';
import { HealthModule, type HealthOptions } from './health/health.module.js';
import { HttpErrorFilter } from './http/http-error.filter.js';
import { LoggingModule } from './logging/logging.module.js';
import { MetricsModule } from './metrics/metrics.module.js';

export interface PlatformOptions {
  /** The app's name, on every log line and metric. */
  app: string;
  /** The app's settings, validated from the environment at start. */
  environment: ClassConstructor<PlatformEnvironment>;
  /** What readiness requires besides Kafka. */
  health?: HealthOptions;
}

/**
 * What every app has: typed configuration, JSON logs, Prometheus metrics, health, request DTOs
 * validated at the edge (unknown fields refused), and error answers that name the problem
 * without internals.
 */
@Module({})
export class PlatformModule {
  static forApp(options: PlatformOptions): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          validate: validateEnvironment(options.environment),
        }),
        LoggingModule.forApp(options.app),
        MetricsModule.forApp(options.app),
        HealthModule.register(options.health),
      ],
      providers: [
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({
            whitelist: true,
            forbidNonWhitelisted: true,
            transform: true,
          }),
        },
      ],
    };
  }
}
