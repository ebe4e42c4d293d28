import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { KafkaLivenessService } from '../kafka/liveness/kafka-liveness.service.js';

@Injectable()
export class KafkaHealthIndicator {
  constructor(
    private readonly liveness: KafkaLivenessService,
    private readonly health: HealthIndicatorService,
  ) {}

  /** Kafka as the app's liveness probe last saw it (at most a second ago): answered at once. */
  async isReachable(key = 'kafka') {
    const indicator = this.health.check(key);
    const probe = await this.liveness.current();
    return probe.reachable
      ? indicator.up({ brokers: probe.brokers })
      : indicator.down({ message: `Kafka is not reachable: ${probe.reason}` });
  }
}
