import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ClientKafka } from '@nestjs/microservices';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { randomUUID } from 'node:crypto';
import type { Counter } from 'prom-client';
import { Observable, Subscription } from 'rxjs';
import {
  Topics,
  type ClassificationReply,
  type ClassificationRequest,
} from '#fmnist';
import type { GatewayEnvironment } from '../../config/gateway.environment.js';
import { GatewayMetrics } from '../classification.metrics.js';
import { CLASSIFIER_CLIENT } from '../classifier-client.js';
import { RequestPartitions } from './request-partitions.js';
import { RoundTripLatency } from './round-trip-latency.js';

/** Before enough round trips were seen to know the p99 (a cold model may be slow). */
const INITIAL_RESEND_MS = 1000;
/** A request this many times slower than the p99 is taken for lost. */
const LATENCY_FACTOR = 3;
/** About a dead classifier's session timeout and the group's rebalance after it. */
const SUSPICION_MS = 10_000;

/**
 * Requests to the classifiers over Kafka, each answered by the first reply. Classification has no
 * side effect, so a request that got no reply within a few times the observed p99 (at least
 * CLASSIFY_RESEND_MIN_MS) is sent again to another partition, and again until every partition
 * was tried: a replica that died holds its partitions until its group's session times out, and
 * its requests are then answered by another in a fraction of a second instead of seconds. The
 * later replies are dropped (their correlation ids are forgotten with the first reply).
 */
@Injectable()
export class ClassifierRequestsService
  implements OnModuleInit, OnApplicationBootstrap
{
  private readonly latency = new RoundTripLatency();
  private readonly partitions: RequestPartitions;
  private readonly resendMinMs: number;
  private readonly timeoutMs: number;

  constructor(
    @Inject(CLASSIFIER_CLIENT) private readonly client: ClientKafka,
    @InjectMetric(GatewayMetrics.resent)
    private readonly resent: Counter<string>,
    config: ConfigService<GatewayEnvironment, true>,
  ) {
    this.partitions = new RequestPartitions(
      config.get('KAFKA_REQUEST_PARTITIONS', { infer: true }),
      SUSPICION_MS,
    );
    this.resendMinMs = config.get('CLASSIFY_RESEND_MIN_MS', { infer: true });
    this.timeoutMs = config.get('CLASSIFY_TIMEOUT_MS', { infer: true });
  }

  onModuleInit(): void {
    this.client.subscribeToResponseOf(Topics.images);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.client.connect();
  }

  /** The first reply to `request`, sent once or more; an error reply is an answer too. */
  request(request: ClassificationRequest): Observable<ClassificationReply> {
    return new Observable<ClassificationReply>((subscriber) => {
      const tried = new Set<number>();
      const sends = new Subscription();
      let timer: NodeJS.Timeout | undefined;
      const send = () => {
        const partition = this.partitions.pick(tried);
        if (partition === undefined) return;
        if (tried.size > 0) this.resent.inc();
        tried.add(partition);
        const sentAt = Date.now();
        sends.add(
          this.client
            .send<ClassificationReply>(Topics.images, {
              // Ours, not the client's x-request-id: a client cannot pin its requests to one
              // partition, so to one classifier.
              key: randomUUID(),
              value: request,
              partition,
            })
            .subscribe({
              next: (reply) => {
                this.partitions.answered(partition);
                this.latency.record(Date.now() - sentAt);
                subscriber.next(reply);
                subscriber.complete();
              },
              error: (error: unknown) => subscriber.error(error),
            }),
        );
        const delay = this.resendDelayMs();
        if (delay === undefined) return;
        timer = setTimeout(() => {
          this.partitions.suspect(partition);
          send();
        }, delay);
      };
      send();
      return () => {
        clearTimeout(timer);
        sends.unsubscribe();
      };
    });
  }

  /** At most a quarter of CLASSIFY_TIMEOUT_MS: a slow machine still leaves time for 3 tries. */
  private resendDelayMs(): number | undefined {
    if (this.resendMinMs === 0) return undefined;
    const p99 = this.latency.p99();
    return Math.min(
      this.timeoutMs / 4,
      Math.max(
        this.resendMinMs,
        p99 === undefined ? INITIAL_RESEND_MS : LATENCY_FACTOR * p99,
      ),
    );
  }
}
