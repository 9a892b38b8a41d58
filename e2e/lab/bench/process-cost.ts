import { readFile } from 'node:fs/promises';
import { run } from '../exec.js';

/**
 * What tunnel processes cost while traffic crosses them: CPU time (user + system, from
 * /proc/<pid>/stat) and resident memory (VmRSS). Read around a load, so the difference is what the
 * load cost. The kernel counts CPU in clock ticks (USER_HZ, 100 per second on Linux): 10 ms
 * resolution, fine for loads that cost hundreds of milliseconds.
 */
const USER_HZ = 100;
// Fields 14 and 15 of /proc/<pid>/stat (1-based) are utime and stime; the command name (field 2)
// may hold spaces, so count from the closing parenthesis.
const UTIME_AFTER_PAREN = 11;

export async function cpuMs(pids: readonly number[]): Promise<number> {
  let ticks = 0;
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[UTIME_AFTER_PAREN]) + Number(fields[UTIME_AFTER_PAREN + 1]);
  }
  return (ticks * 1000) / USER_HZ;
}

export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`process ${pid} has no VmRSS (gone?)`);
  return Number(kb) / 1024;
}

/** Pids in network namespace `ns` whose argv matches. */
export async function pidsIn(ns: string, match: (argv: string[]) => boolean): Promise<number[]> {
  const pids = (await run('ip', ['netns', 'pids', ns])).stdout.split('\n').filter(Boolean);
  const out: number[] = [];
  for (const pid of pids) {
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (match(argv)) out.push(Number(pid));
  }
  return out;
}

/** A LANrage player's two processes: the core (`node …/lanrage.js up`) and its helper. */
export async function lanragePids(ns: string): Promise<{ core: number; helper: number }> {
  const [core] = await pidsIn(ns, (argv) => argv[1]?.endsWith('lanrage.js') === true);
  const [helper] = await pidsIn(ns, (argv) => argv[0]?.endsWith('/lanrage-helper') === true);
  if (core === undefined || helper === undefined)
    throw new Error(`no lanrage core and helper running in ${ns}`);
  return { core, helper };
}

/** CPU of `pids` spent while `load` runs (ms), and the load's result. */
export async function cpuDuring<T>(
  pids: readonly number[],
  load: () => Promise<T>,
): Promise<{ cpuMs: number; result: T }> {
  const before = await cpuMs(pids);
  const result = await load();
  return { cpuMs: (await cpuMs(pids)) - before, result };
}
