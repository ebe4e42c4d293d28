import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';

export interface LoadResult {
  concurrency: number;
  imagesPerRequest: number;
  /** Requests answered in the run. */
  requests: number;
  requestsPerSecond: number;
  imagesPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number };
  errors: number;
}

/** One multipart body with `images` PNGs in the field `files` (or `file` for one). */
export function multipartBody(pngs: Buffer[]): {
  body: Buffer;
  contentType: string;
} {
  const boundary = `bench-${randomUUID()}`;
  const field = pngs.length === 1 ? 'file' : 'files';
  const parts = pngs.map((png, index) =>
    Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${index}.png"\r\n` +
          'Content-Type: image/png\r\n\r\n',
      ),
      png,
      Buffer.from('\r\n'),
    ]),
  );
  return {
    body: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

/** POSTs the body at `concurrency` for `seconds` and reports throughput and latency. */
export async function load(
  url: string,
  pngs: Buffer[],
  concurrency: number,
  seconds: number,
): Promise<LoadResult> {
  const { body, contentType } = multipartBody(pngs);
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
    connections: concurrency,
    duration: seconds,
  });
  const requestsPerSecond = result.requests.average;
  return {
    concurrency,
    imagesPerRequest: pngs.length,
    requests: result.requests.total,
    requestsPerSecond,
    imagesPerSecond: requestsPerSecond * pngs.length,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
    },
    errors: result.non2xx + result.errors + result.timeouts,
  };
}
