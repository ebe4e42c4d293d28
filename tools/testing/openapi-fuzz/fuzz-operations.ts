import type { OpenAPIObject } from '@nestjs/swagger';
import fc from 'fast-check';
import {
  describeRequest,
  operationsOf,
  requestArbitrary,
  toRequestInit,
  type FuzzRequest,
  type Operation,
  type SampleFile,
} from './request-arbitraries.js';

/** An app's HTTP API, described by its OpenAPI document. */
export interface FuzzTarget {
  /** How the report names it. */
  name: string;
  baseUrl: string;
  document: OpenAPIObject;
  /** The operations to fuzz; all by default. */
  include?: (operation: Operation) => boolean;
  /** Asked before each operation: the earlier ones may have created what later ones can find. */
  knownValues?: () => Record<string, readonly string[]>;
  sampleFiles?: readonly SampleFile[];
  oversizeBytes?: number;
  /** Called after each answer has been checked, e.g. to undo what the request created. */
  afterResponse?: (
    operation: Operation,
    response: FuzzResponse,
  ) => Promise<void>;
}

export interface FuzzResponse {
  status: number;
  contentType: string;
  /** The body as text; absent for an event stream, which is left once its headers arrived. */
  body?: string;
}

export interface FuzzRun {
  /** Requests per operation. */
  runs: number;
  seed: number;
  /** An answer that takes longer fails the run as a hang. */
  timeoutMs: number;
  /** Throws when an answer breaks a rule. */
  check: (
    operation: Operation,
    request: FuzzRequest,
    response: FuzzResponse,
  ) => void;
}

export interface FuzzReport {
  requests: number;
  /** How many answers had each status code. */
  statuses: Record<number, number>;
  /** Status codes answered that the description does not list, by operation. */
  undocumented: Record<string, number[]>;
}

/**
 * Sends `runs` generated requests to each operation of the target, one at a time, checking every
 * answer. The first failure ends the run (no shrinking: each try is a real request); its message
 * names the operation, the request, and the seed and path that replay it.
 */
export async function fuzzOperations(
  target: FuzzTarget,
  run: FuzzRun,
): Promise<FuzzReport> {
  const report: FuzzReport = { requests: 0, statuses: {}, undocumented: {} };
  const operations = operationsOf(target.document).filter(
    target.include ?? (() => true),
  );
  for (const operation of operations) {
    const requests = requestArbitrary(target.document, operation, {
      knownValues: target.knownValues?.(),
      sampleFiles: target.sampleFiles,
      oversizeBytes: target.oversizeBytes,
    });
    const documented = Object.keys(operation.definition.responses);
    const property = fc.asyncProperty(requests, async (request) => {
      const response = await send(target.baseUrl, request, run.timeoutMs);
      report.requests++;
      process.stderr.write(
        `${target.name} ${operation.id} ${response.status} ${describeRequest(request).slice(0, 160)}\n`,
      );
      report.statuses[response.status] =
        (report.statuses[response.status] ?? 0) + 1;
      if (!documented.includes(String(response.status))) {
        const seen = (report.undocumented[operation.id] ??= []);
        if (!seen.includes(response.status)) seen.push(response.status);
      }
      run.check(operation, request, response);
      await target.afterResponse?.(operation, response);
    });
    try {
      await fc.assert(property, {
        numRuns: run.runs,
        seed: run.seed,
        endOnFailure: true,
      });
    } catch (error) {
      // fast-check keeps what the property threw as the cause, out of its message.
      const { message, cause } = error as Error;
      const reason = cause instanceof Error ? `\n${cause.message}` : '';
      throw new Error(`${target.name}, ${operation.id}: ${message}${reason}`, {
        cause: error,
      });
    }
  }
  return report;
}

async function send(
  baseUrl: string,
  request: FuzzRequest,
  timeoutMs: number,
): Promise<FuzzResponse> {
  try {
    const response = await fetch(`${baseUrl}${request.target}`, {
      ...toRequestInit(request),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const contentType = response.headers.get('content-type') ?? '';
    if (contentType.startsWith('text/event-stream')) {
      await response.body?.cancel();
      return { status: response.status, contentType };
    }
    return {
      status: response.status,
      contentType,
      body: await response.text(),
    };
  } catch (error) {
    // undici says why a connection failed (reset, closed early) in the cause of "fetch failed".
    const reasons = [error, (error as Error).cause]
      .filter((reason): reason is Error => reason instanceof Error)
      .map((reason) => `${reason.name}: ${reason.message}`);
    throw new Error(
      `no complete answer to ${describeRequest(request)}: ${reasons.join(', ')}`,
      { cause: error },
    );
  }
}
