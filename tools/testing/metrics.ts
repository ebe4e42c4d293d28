import type { AppProcess } from '../launcher/app-process.js';

/** The value of a Prometheus sample, summed over the series that carry all `labels`. */
export function sample(
  exposition: string,
  name: string,
  labels: Record<string, string> = {},
): number {
  return exposition
    .split('\n')
    .filter(
      (line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `),
    )
    .filter((line) =>
      Object.entries(labels).every(([key, value]) =>
        line.includes(`${key}="${value}"`),
      ),
    )
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/** `sample` of what the app's /metrics says now. */
export async function metric(
  app: AppProcess,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const exposition = await (await fetch(`${app.url}/metrics`)).text();
  return sample(exposition, name, labels);
}
