import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, PayloadTooLargeException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';
import type { GatewayEnvironment } from '../config/gateway.environment.js';
import { AdmissionMetrics, type RefusalReason } from './admission.metrics.js';
import { OverloadedException } from './retry-later.exception.js';

/** What an admitted request holds until both its answer is sent and its handler is done. */
interface Lease {
  readonly bytes: number;
  /** Epoch ms when the request was admitted, right after its headers arrived. */
  readonly receivedAt: number;
  holds: number;
}

/**
 * The gateway's capacity for image requests: at most MAX_REQUESTS_IN_FLIGHT of them, holding at
 * most MAX_BYTES_IN_FLIGHT of uploads, from their arrival to their answer (preprocessing and the
 * wait for Kafka included). Beyond it a request is refused at once, before its body is read,
 * so overload turns into quick 503s instead of a queue in which every request times out.
 */
@Injectable()
export class AdmissionControlService {
  private readonly maxRequests: number;
  private readonly maxBytes: number;
  private readonly maxUploadBytes: number;
  /**
   * Built once: under overload most requests are refused, and capturing a stack trace is most of
   * what constructing an exception costs.
   */
  private readonly overloaded: Record<
    Exclude<RefusalReason, 'kafka_queue'>,
    OverloadedException
  >;
  private readonly leases = new WeakMap<IncomingMessage, Lease>();
  private requests = 0;
  private bytes = 0;

  constructor(
    config: ConfigService<GatewayEnvironment, true>,
    @InjectMetric(AdmissionMetrics.requests)
    private readonly requestsGauge: Gauge<string>,
    @InjectMetric(AdmissionMetrics.bytes)
    private readonly bytesGauge: Gauge<string>,
    @InjectMetric(AdmissionMetrics.refused)
    private readonly refusals: Counter<string>,
  ) {
    this.maxRequests = config.get('MAX_REQUESTS_IN_FLIGHT', { infer: true });
    this.maxBytes = config.get('MAX_BYTES_IN_FLIGHT', { infer: true });
    this.maxUploadBytes = config.get('MAX_UPLOAD_BYTES', { infer: true });
    this.overloaded = {
      requests: new OverloadedException(
        'as many requests in flight as it serves at once',
        `MAX_REQUESTS_IN_FLIGHT=${this.maxRequests}`,
      ),
      bytes: new OverloadedException(
        'as many upload bytes in flight as it holds at once',
        `MAX_BYTES_IN_FLIGHT=${this.maxBytes}`,
      ),
    };
  }

  /**
   * Admits the request or throws (503 OverloadedException; 413 when its body alone is over the
   * bytes bound). An admitted request's share is given back when its response closes.
   */
  admit(request: IncomingMessage, response: ServerResponse): void {
    const bytes = this.declaredBytes(request);
    if (bytes > this.maxBytes) {
      throw new PayloadTooLargeException(
        `the request body of ${bytes} bytes is larger than the gateway takes in at once: at most ${this.maxBytes} bytes (MAX_BYTES_IN_FLIGHT)`,
      );
    }
    if (this.requests >= this.maxRequests) {
      this.refusals.inc({ reason: 'requests' });
      throw this.overloaded.requests;
    }
    if (this.bytes + bytes > this.maxBytes) {
      this.refusals.inc({ reason: 'bytes' });
      throw this.overloaded.bytes;
    }
    const lease: Lease = { bytes, receivedAt: Date.now(), holds: 1 };
    this.leases.set(request, lease);
    this.take(1, bytes);
    response.once('close', () => this.release(lease));
  }

  /**
   * Keeps the request's share until the returned function is called as well: a client that
   * goes away does not end the work done for it, so its share must outlive its response.
   */
  hold(request: IncomingMessage): (() => void) | undefined {
    const lease = this.leases.get(request);
    if (!lease) return undefined;
    lease.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(lease);
    };
  }

  /** Epoch ms when the request arrived: its deadline counts from there. */
  receivedAt(request: IncomingMessage): number {
    return this.leases.get(request)?.receivedAt ?? Date.now();
  }

  /** A 503 for a bound met further on (the Kafka producer's queue), counted with the others. */
  refuse(
    reason: RefusalReason,
    what: string,
    limit: string,
  ): OverloadedException {
    this.refusals.inc({ reason });
    return new OverloadedException(what, limit);
  }

  /** Content-Length; a body sent without one (chunked) is reckoned as one upload at its limit. */
  private declaredBytes(request: IncomingMessage): number {
    const declared = Number(request.headers['content-length']);
    return Number.isSafeInteger(declared) && declared >= 0
      ? declared
      : Math.min(this.maxUploadBytes, this.maxBytes);
  }

  private release(lease: Lease): void {
    if (--lease.holds > 0) return;
    this.take(-1, -lease.bytes);
  }

  private take(requests: number, bytes: number): void {
    this.requests += requests;
    this.bytes += bytes;
    this.requestsGauge.set(this.requests);
    this.bytesGauge.set(this.bytes);
  }
}
