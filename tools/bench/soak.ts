import autocannon from 'autocannon';
import { multipartBody } from './load.js';
import { rssMb } from './process-memory.js';

export interface SoakResult {
  requests: number;
  concurrency: number;
  seconds: number;
  ok: number;
  errors: number;
  /** Resident memory (MB) of each watched process after each tenth of the requests. */
  rssMb: Record<string, number[]>;
}

/**
 * Sends `requests` single-image classifications at `concurrency` and samples the memory of the
 * watched processes after every tenth, so growth over the run shows as a trend, not a peak.
 */
export async function soak(
  url: string,
  png: Buffer,
  requests: number,
  concurrency: number,
  watched: Record<string, number | undefined>,
): Promise<SoakResult> {
  const { body, headers } = multipartBody([png]);
  const rss: Record<string, number[]> = Object.fromEntries(
    Object.keys(watched).map((name) => [name, []]),
  );
  const sample = async () => {
    for (const [name, pid] of Object.entries(watched)) {
      const mb = await rssMb(pid);
      if (mb !== undefined) rss[name].push(Math.round(mb));
    }
  };
  await sample();
  const tenth = Math.ceil(requests / 10);
  let sent = 0;
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        method: 'POST',
        headers,
        body,
        connections: concurrency,
        amount: requests,
      },
      (error: Error | null, finished) =>
        error ? reject(error) : resolve(finished),
    );
    instance.on('response', () => {
      if (++sent % tenth === 0) void sample();
    });
  });
  await sample();
  return {
    requests,
    concurrency,
    seconds: (performance.now() - started) / 1000,
    ok: result['2xx'],
    errors: result.non2xx + result.errors + result.timeouts,
    rssMb: rss,
  };
}
