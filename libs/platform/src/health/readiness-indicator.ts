import type { HealthIndicatorResult } from '@nestjs/terminus';

/** An app-specific condition for readiness, next to Kafka being reachable. */
export interface ReadinessIndicator {
  isReady(): Promise<HealthIndicatorResult> | HealthIndicatorResult;
}

export const READINESS_INDICATORS = Symbol('READINESS_INDICATORS');
