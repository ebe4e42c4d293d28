import { ClientKafka } from '@nestjs/microservices';
import { restartAfterFatalCrash } from '../consumer/restart-after-fatal-crash.js';

/**
 * Nest's Kafka client, whose reply consumer is started again after a crash kafkajs does not
 * recover from (see restartAfterFatalCrash): without it, every later request would wait for a
 * reply nobody reads and end in a timeout although Kafka and the servers are fine.
 */
export class RestartingClientKafka extends ClientKafka {
  private stopRestarting?: () => void;

  protected override registerConsumerEventListeners(): void {
    super.registerConsumerEventListeners();
    const consumer = this._consumer;
    if (!consumer) return;
    this.stopRestarting?.();
    this.stopRestarting = restartAfterFatalCrash(
      consumer,
      () => this.bindTopics(),
      this.logger,
    );
  }

  override async close(): Promise<void> {
    this.stopRestarting?.();
    await super.close();
  }
}
