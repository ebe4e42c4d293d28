import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

const TICKS_PER_SECOND = Number(
  execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim(),
);

/** CPU time (user + system) a process has used so far, in ms; undefined when unreadable. */
export async function cpuMs(
  pid: number | undefined,
): Promise<number | undefined> {
  if (!pid) return undefined;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name, which may hold spaces, closed by the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : undefined;
}

/** CPU ms each named process spends while `work` runs. */
export async function cpuSpent<T>(
  pids: Record<string, number | undefined>,
  work: () => Promise<T>,
): Promise<{ result: T; cpuMs: Record<string, number> }> {
  const read = async () =>
    Object.fromEntries(
      await Promise.all(
        Object.entries(pids).map(
          async ([name, pid]) => [name, await cpuMs(pid)] as const,
        ),
      ),
    );
  const before = await read();
  const result = await work();
  const after = await read();
  const spent: Record<string, number> = {};
  for (const [name, end] of Object.entries(after)) {
    const start = before[name];
    if (end !== undefined && start !== undefined) spent[name] = end - start;
  }
  return { result, cpuMs: spent };
}
