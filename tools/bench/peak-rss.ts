import { readFile } from 'node:fs/promises';

/** The most memory the process has held so far (VmHWM), in MB; undefined when unreadable. */
export async function peakRssMb(
  pid: number | undefined,
): Promise<number | undefined> {
  if (!pid) return undefined;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kilobytes = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
  return kilobytes ? Number(kilobytes) / 1024 : undefined;
}
