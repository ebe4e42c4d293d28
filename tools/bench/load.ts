import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';

export interface LoadResult {
  /** What was uploaded: the dataset's 28x28 PNGs, or photo-like uploads. */
  upload: Upload;
  concurrency: number;
  imagesPerRequest: number;
  /** Requests answered in the run. */
  requests: number;
  requestsPerSecond: number;
  imagesPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number };
  errors: number;
}

export type Upload = '28x28 PNG' | 'photo';

/** One multipart body with `images` files in the field `files` (or `file` for one). */
export function multipartBody(files: Buffer[]): {
  body: Buffer;
  contentType: string;
} {
  const boundary = `bench-${randomUUID()}`;
  const field = files.length === 1 ? 'file' : 'files';
  const parts = files.map((file, index) =>
    Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${index}"\r\n` +
          'Content-Type: application/octet-stream\r\n\r\n',
      ),
      file,
      Buffer.from('\r\n'),
    ]),
  );
  return {
    body: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

/**
 * POSTs requests of `imagesPerRequest` files at `concurrency` for `seconds`, taking the files in
 * turn so that every file is sent, and reports throughput and latency.
 */
export async function load(
  url: string,
  upload: Upload,
  files: Buffer[],
  imagesPerRequest: number,
  concurrency: number,
  seconds: number,
): Promise<LoadResult> {
  const bodies = Array.from(
    { length: Math.max(1, Math.floor(files.length / imagesPerRequest)) },
    (_, index) =>
      multipartBody(
        files.slice(index * imagesPerRequest, (index + 1) * imagesPerRequest),
      ),
  );
  const result = await autocannon({
    url,
    method: 'POST',
    requests: bodies.map(({ body, contentType }) => ({
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    })),
    connections: concurrency,
    duration: seconds,
  });
  const requestsPerSecond = result.requests.average;
  return {
    upload,
    concurrency,
    imagesPerRequest,
    requests: result.requests.total,
    requestsPerSecond,
    imagesPerSecond: requestsPerSecond * imagesPerRequest,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
    },
    errors: result.non2xx + result.errors + result.timeouts,
  };
}
