import { readdir, readFile } from 'node:fs/promises';

/** A memory figure of a process from /proc/<pid>/status, in MB; undefined when unreadable. */
async function statusMb(
  pid: number | undefined,
  field: 'VmHWM' | 'VmRSS',
): Promise<number | undefined> {
  if (!pid) return undefined;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kilobytes = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
    status,
  )?.[1];
  return kilobytes ? Number(kilobytes) / 1024 : undefined;
}

/** The most memory the process has held so far (VmHWM). */
export const peakRssMb = (pid: number | undefined) => statusMb(pid, 'VmHWM');

/** The memory the process holds now (VmRSS). */
export const rssMb = (pid: number | undefined) => statusMb(pid, 'VmRSS');

/** The processes `pid` started that are still running (the trainer's training worker). */
export async function childPids(pid: number | undefined): Promise<number[]> {
  if (!pid) return [];
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => []);
  const lists = await Promise.all(
    tasks.map((task) =>
      readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => ''),
    ),
  );
  return lists.flatMap((list) => list.split(' ').filter(Boolean).map(Number));
}
