import {
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import {
  first,
  firstValueFrom,
  map,
  ReplaySubject,
  type Observable,
} from 'rxjs';
import { withTimeout } from '../../async/with-timeout.js';
import type { PlatformEnvironment } from '../../config/platform.environment.js';
import { appKafkaConfig } from '../kafka-client.config.js';
import { KafkaUnreachableError } from './kafka-unreachable.error.js';

type Unreachable = { readonly reachable: false; readonly reason: string };
export type KafkaReachability =
  { readonly reachable: true; readonly brokers: number } | Unreachable;

const PROBE_INTERVAL_MS = 1000;
const PROBE_TIMEOUT_MS = 3000;

/**
 * Whether the Kafka cluster answers, known within about a second: a metadata request every
 * second from an admin client of its own that never retries (the next probe is the retry). The
 * apps' other clients retry for about 20 s before they give up, so this is what lets callers fail
 * at once during an outage, and readiness answer without waiting. It follows the cluster for the
 * app's whole life, so it tells when Kafka is back without anyone restarting anything.
 */
@Injectable()
export class KafkaLivenessService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(KafkaLivenessService.name);
  private readonly admin: Admin;
  private readonly probes = new ReplaySubject<KafkaReachability>(1);
  private latest?: KafkaReachability;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  /**
   * Fails with a KafkaUnreachableError as soon as Kafka is known to be unreachable (at once when it
   * already is) and emits nothing else: raced against a Kafka round trip, it ends the wait.
   */
  readonly outage: Observable<never> = this.probes.pipe(
    first((probe): probe is Unreachable => !probe.reachable),
    map((probe) => {
      throw new KafkaUnreachableError(probe.reason);
    }),
  );

  constructor(config: ConfigService<PlatformEnvironment, true>) {
    this.admin = new Kafka({
      ...appKafkaConfig(config, 'liveness'),
      connectionTimeout: PROBE_TIMEOUT_MS,
      requestTimeout: PROBE_TIMEOUT_MS,
      retry: { retries: 0 },
      // During an outage every probe fails: the changes are logged here instead, once each.
      logLevel: logLevel.NOTHING,
    }).admin();
  }

  onModuleInit(): void {
    void this.probe();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.admin.disconnect();
  }

  /** The latest probe's answer; the first one is awaited. */
  current(): Promise<KafkaReachability> {
    return firstValueFrom(this.probes);
  }

  private async probe(): Promise<void> {
    let probe: KafkaReachability;
    try {
      const cluster = await withTimeout(
        this.admin.connect().then(() => this.admin.describeCluster()),
        PROBE_TIMEOUT_MS,
        `no answer within ${PROBE_TIMEOUT_MS} ms`,
      );
      probe = { reachable: true, brokers: cluster.brokers.length };
    } catch (error) {
      probe = {
        reachable: false,
        reason: error instanceof Error ? error.message : String(error),
      };
      // kafkajs can be left with half-reset metadata by a connection lost mid-request (its next
      // requests then fail with a TypeError): the next probe starts from a new connection.
      await this.admin.disconnect().catch(() => undefined);
    }
    if (this.stopped) return;
    this.record(probe);
    this.timer = setTimeout(() => void this.probe(), PROBE_INTERVAL_MS).unref();
  }

  private record(probe: KafkaReachability): void {
    const previous = this.latest;
    this.latest = probe;
    if (!probe.reachable && previous?.reachable !== false) {
      this.logger.warn(`Kafka is not reachable: ${probe.reason}`);
    } else if (probe.reachable && previous?.reachable === false) {
      this.logger.log(`Kafka is reachable again (${probe.brokers} brokers)`);
    }
    this.probes.next(probe);
  }
}
