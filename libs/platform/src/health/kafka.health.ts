import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { KafkaAdminService } from '../kafka/kafka-admin.service.js';

@Injectable()
export class KafkaHealthIndicator {
  constructor(
    private readonly admin: KafkaAdminService,
    private readonly health: HealthIndicatorService,
  ) {}

  async isReachable(key = 'kafka') {
    const indicator = this.health.check(key);
    try {
      const brokers = await this.admin.ping();
      return indicator.up({ brokers });
    } catch (error) {
      return indicator.down({
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
