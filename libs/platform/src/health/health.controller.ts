import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { KafkaHealthIndicator } from './kafka.health.js';
import {
  READINESS_INDICATORS,
  type ReadinessIndicator,
} from './readiness-indicator.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly kafka: KafkaHealthIndicator,
    @Inject(READINESS_INDICATORS)
    private readonly indicators: ReadinessIndicator[],
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: the process is up and serving HTTP' })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    summary:
      "Readiness: the Kafka cluster answers, and the app's own conditions hold",
  })
  ready() {
    return this.health.check([
      () => this.kafka.isReachable(),
      ...this.indicators.map((indicator) => () => indicator.isReady()),
    ]);
  }
}
