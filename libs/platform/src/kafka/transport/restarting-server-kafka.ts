import { ServerKafka } from '@nestjs/microservices';
import { restartAfterFatalCrash } from '../consumer/restart-after-fatal-crash.js';

/**
 * Nest's Kafka microservice transport, whose consumer is started again after a crash kafkajs
 * does not recover from (see restartAfterFatalCrash), so the app keeps consuming after a broker
 * restart instead of serving nothing.
 */
export class RestartingServerKafka extends ServerKafka {
  private stopRestarting?: () => void;

  protected override registerConsumerEventListeners(): void {
    super.registerConsumerEventListeners();
    const consumer = this.consumer;
    if (!consumer) return;
    this.stopRestarting?.();
    this.stopRestarting = restartAfterFatalCrash(
      consumer,
      () => this.bindEvents(consumer),
      this.logger,
    );
  }

  override async close(): Promise<void> {
    this.stopRestarting?.();
    await super.close();
  }
}
