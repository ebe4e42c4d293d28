import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Topics } from '#fmnist';
import type { CoalescingClientKafka, ReadinessIndicator } from '#platform';
import { CLASSIFIER_CLIENT } from './classifier-client.js';

/**
 * A gateway that cannot receive the classifiers' replies can only answer 503: not ready, so a
 * load balancer sends its traffic to the others (its reply consumer is joining its group, or it
 * crashed and is being restarted).
 */
@Injectable()
export class RepliesHealthIndicator implements ReadinessIndicator {
  constructor(
    @Inject(CLASSIFIER_CLIENT) private readonly client: CoalescingClientKafka,
    private readonly health: HealthIndicatorService,
  ) {}

  isReady() {
    const indicator = this.health.check('replies');
    return this.client.receivesRepliesOf(Topics.images)
      ? indicator.up()
      : indicator.down({
          message: `no partition of ${Topics.imagesReply} is read by this gateway: it cannot receive replies`,
        });
  }
}
