import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

const TICKS_PER_SECOND = Number(
  execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim(),
);

/** CPU time (user + system) a process has used so far, in ms; undefined when unreadable. */
export async function cpuMs(
  pid: number | undefined,
): Promise<number | undefined> {
  if (!pid) return undefined;
  return statCpuMs(await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => ''));
}

function statCpuMs(stat: string): number | undefined {
  // Fields after the command name, which may hold spaces, closed by the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : undefined;
}

/**
 * CPU ms a process's threads have used so far, summed by thread name, the process's first thread
 * (Node.js's event loop) as 'main'. Node.js 20 names libuv's pool and V8's helper threads after
 * the process ('node'); libvips names its own workers 'libvips worker'.
 */
export async function cpuMsByThread(
  pid: number | undefined,
): Promise<Record<string, number>> {
  if (!pid) return {};
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => []);
  const byName: Record<string, number> = {};
  for (const task of tasks) {
    const stat = await readFile(`/proc/${pid}/task/${task}/stat`, 'utf8').catch(
      () => '',
    );
    const ms = statCpuMs(stat);
    if (ms === undefined) continue;
    const name =
      task === String(pid)
        ? 'main'
        : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    byName[name] = (byName[name] ?? 0) + ms;
  }
  return byName;
}

/** CPU ms each named group of processes spends while `work` runs (summed over its processes). */
export async function cpuSpent<T>(
  groups: Record<string, (number | undefined)[]>,
  work: () => Promise<T>,
): Promise<{ result: T; cpuMs: Record<string, number> }> {
  const pids = [...new Set(Object.values(groups).flat())];
  const read = async () => Promise.all(pids.map((pid) => cpuMs(pid)));
  const before = await read();
  const result = await work();
  const after = await read();
  const spentBy = new Map<number | undefined, number>();
  pids.forEach((pid, index) => {
    const [start, end] = [before[index], after[index]];
    if (start !== undefined && end !== undefined) spentBy.set(pid, end - start);
  });
  // A group none of whose processes could be read is left out, not reported as idle.
  const cpu: Record<string, number> = {};
  for (const [name, members] of Object.entries(groups)) {
    const spent = members.flatMap((pid) => spentBy.get(pid) ?? []);
    if (spent.length > 0) cpu[name] = spent.reduce((sum, ms) => sum + ms, 0);
  }
  return { result, cpuMs: cpu };
}
