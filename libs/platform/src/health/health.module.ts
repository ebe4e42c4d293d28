import {
  type DynamicModule,
  Module,
  type ModuleMetadata,
  type Type,
} from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { KafkaLivenessModule } from '../kafka/liveness/kafka-liveness.module.js';
import { HealthController } from './health.controller.js';
import { KafkaHealthIndicator } from './kafka.health.js';
import {
  READINESS_INDICATORS,
  type ReadinessIndicator,
} from './readiness-indicator.js';

export interface HealthOptions {
  /** Modules the indicators depend on. */
  imports?: ModuleMetadata['imports'];
  /** What else readiness requires of this app (a loaded model, say). */
  indicators?: Type<ReadinessIndicator>[];
}

@Module({})
export class HealthModule {
  static register(options: HealthOptions = {}): DynamicModule {
    const indicators = options.indicators ?? [];
    return {
      module: HealthModule,
      imports: [
        TerminusModule,
        KafkaLivenessModule,
        ...(options.imports ?? []),
      ],
      controllers: [HealthController],
      providers: [
        KafkaHealthIndicator,
        ...indicators,
        {
          provide: READINESS_INDICATORS,
          useFactory: (...instances: ReadinessIndicator[]) => instances,
          inject: indicators,
        },
      ],
    };
  }
}
