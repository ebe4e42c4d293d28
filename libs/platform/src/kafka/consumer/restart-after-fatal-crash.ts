import type { Logger } from '@nestjs/common';
import type { Consumer } from 'kafkajs';

const RESTART_DELAY_MS = 2000;

/**
 * kafkajs restarts a crashed consumer by itself only when the error is retriable. Some errors
 * of a broker restart are not: a consumer that starts again while the broker shuts down or comes
 * up can fail with "Failed to find group coordinator" and then stays stopped for good, its app
 * running but deaf (tulios/kafkajs#1445, #1630; Nest's Kafka transports only report it as their
 * status "crashed"). This starts such a consumer again with `restart` (which runs it with its
 * handler), after `delayMs` and again after each failure, until it runs.
 *
 * Returns what stops this, for when the consumer is disconnected on purpose.
 */
export function restartAfterFatalCrash(
  consumer: Consumer,
  restart: () => Promise<void>,
  logger: Logger,
  delayMs = RESTART_DELAY_MS,
): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const attempt = () => {
    timer = setTimeout(() => {
      if (stopped) return;
      restart().catch((error: unknown) => {
        logger.warn(
          `restarting the consumer failed (${String(error)}); trying again in ${delayMs} ms`,
        );
        attempt();
      });
    }, delayMs).unref();
  };

  const removeListener = consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart || stopped) return;
    logger.warn(
      `the consumer of group ${payload.groupId} crashed (${String(payload.error)}) and kafkajs ` +
        `will not restart it: restarting it in ${delayMs} ms`,
    );
    attempt();
  });
  return () => {
    stopped = true;
    clearTimeout(timer);
    removeListener();
  };
}

/**
 * restartAfterFatalCrash for a Nest Kafka transport, whose consumer is created anew on every
 * connect: `watch` follows the newest consumer, `stop` ends the restarts when the transport is
 * closed on purpose. Without it, a client's reply consumer that crashed for good leaves every
 * later request waiting for a reply nobody reads, and a server keeps running but serves nothing.
 */
export class TransportCrashRestarts {
  private stopCurrent?: () => void;

  constructor(private readonly logger: Logger) {}

  watch(
    consumer: Consumer | null | undefined,
    restart: (consumer: Consumer) => Promise<void>,
  ): void {
    if (!consumer) return;
    this.stopCurrent?.();
    this.stopCurrent = restartAfterFatalCrash(
      consumer,
      () => restart(consumer),
      this.logger,
    );
  }

  stop(): void {
    this.stopCurrent?.();
  }
}
