import type { LoggerService } from '@nestjs/common';

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Once a shutdown signal arrives, gives Nest's shutdown hooks `timeoutMs` to close the app, then
 * exits with status 1, logging that it did. The timer does not keep the process alive: a shutdown
 * that finishes in time ends as Nest ends it (the signal raised again).
 */
export function exitWhenShutdownOverruns(
  timeoutMs: number,
  logger: LoggerService,
): void {
  const start = () => {
    for (const signal of SHUTDOWN_SIGNALS) process.off(signal, start);
    setTimeout(() => {
      logger.error(
        `the shutdown did not finish within ${timeoutMs} ms (SHUTDOWN_TIMEOUT_MS): exiting`,
        'Shutdown',
      );
      process.exit(1);
    }, timeoutMs).unref();
  };
  for (const signal of SHUTDOWN_SIGNALS) process.once(signal, start);
}
