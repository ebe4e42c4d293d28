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

export type Upload = '28x28 PNG' | 'photo' | '/v2 UINT8 tensor';

/** A request's body and the headers that describe it. */
export interface RequestBody {
  body: Buffer;
  headers: Record<string, string>;
}

/** What is loaded: requests made of some of `files` at a time, sent to `url`. */
export interface LoadTarget {
  upload: Upload;
  url: string;
  files: Buffer[];
  bodyOf: (files: Buffer[]) => RequestBody;
  /** The concurrencies to measure it at; all of them when absent. */
  concurrencies?: number[];
}

/** One multipart body with `images` files in the field `files` (or `file` for one). */
export function multipartBody(files: Buffer[]): RequestBody {
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
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/**
 * An Open Inference Protocol request for 28x28 images (784 bytes each) as tritonclient sends it
 * by default: a UINT8 tensor in the binary tensor data extension, the outputs asked for as binary.
 */
export function inferenceBody(images: Buffer[]): RequestBody {
  const tensor = Buffer.concat(images);
  const header = Buffer.from(
    JSON.stringify({
      inputs: [
        {
          name: 'images',
          shape: [images.length, 28, 28],
          datatype: 'UINT8',
          parameters: { binary_data_size: tensor.length },
        },
      ],
      parameters: { binary_data_output: true },
    }),
  );
  return {
    body: Buffer.concat([header, tensor]),
    headers: {
      'content-type': 'application/octet-stream',
      'inference-header-content-length': String(header.length),
    },
  };
}

/**
 * POSTs requests of `imagesPerRequest` files at `concurrency` for `seconds`, taking the files in
 * turn so that every file is sent, and reports throughput and latency.
 */
export async function load(
  { upload, url, files, bodyOf }: LoadTarget,
  imagesPerRequest: number,
  concurrency: number,
  seconds: number,
): Promise<LoadResult> {
  const bodies = Array.from(
    { length: Math.max(1, Math.floor(files.length / imagesPerRequest)) },
    (_, index) =>
      bodyOf(
        files.slice(index * imagesPerRequest, (index + 1) * imagesPerRequest),
      ),
  );
  const result = await autocannon({
    url,
    method: 'POST',
    requests: bodies.map(({ body, headers }) => ({
      method: 'POST',
      headers,
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

const WARM_UP_ROUNDS = 2;

/**
 * Each target loaded in turn, twice, before any row is measured. The broker's JIT compiles its
 * produce and fetch paths over its first ten thousand or so requests (its CPU per round trip fell
 * from 6.9 to 1.2 ms here over 30 s of traffic), and V8 the apps' own: rows measured before that
 * would charge the warm-up to whichever target comes first. A broker serves for days.
 */
export async function warmUp(
  targets: LoadTarget[],
  seconds: number,
): Promise<void> {
  for (let round = 0; round < WARM_UP_ROUNDS; round++) {
    for (const target of targets) await load(target, 1, 16, seconds);
  }
}
