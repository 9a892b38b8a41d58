import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, startProcess, type StartedProcess } from './exec.js';

/**
 * A delayed point-to-point link between two namespaces (see delay-link.c for why it is a C
 * helper). The helper is compiled on first use into .lab-state/bin (gitignored), named by the
 * hash of its source so an edited helper is rebuilt and a stale binary never runs.
 */
const HERE = dirname(fileURLToPath(import.meta.url));
const SOURCE = join(HERE, 'delay-link.c');
export const LAB_STATE_DIR = join(HERE, '..', '..', '.lab-state');
export const HELPER_BIN_DIR = join(LAB_STATE_DIR, 'bin');

export async function ensureDelayLinkHelper(): Promise<string> {
  const source = await readFile(SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 12);
  const binary = join(HELPER_BIN_DIR, `delay-link-${hash}`);
  const built = await access(binary).then(
    () => true,
    () => false,
  );
  if (built) return binary;
  await mkdir(HELPER_BIN_DIR, { recursive: true });
  // Build to a private name and rename: two labs starting at once never run a half-written binary.
  const temp = `${binary}.${process.pid}.tmp`;
  await run('cc', ['-O2', '-Wall', '-Wextra', '-o', temp, SOURCE]);
  await rename(temp, binary);
  return binary;
}

export interface DelayLinkOptions {
  nsA: string;
  ifA: string;
  nsB: string;
  ifB: string;
  /** One-way delay A → B in milliseconds (may be fractional). */
  delayAtoBMs: number;
  delayBtoAMs: number;
}

export interface DelayLinkStats {
  aToB: { forwarded: number; dropped: number };
  bToA: { forwarded: number; dropped: number };
}

export interface DelayLink {
  options: DelayLinkOptions;
  pid: number | undefined;
  /** The helper's own counters: packets it released and packets it lost (full queue, failed write). */
  stats(): Promise<DelayLinkStats>;
  stop(): Promise<void>;
}

function toMicroseconds(ms: number, what: string): string {
  if (!Number.isFinite(ms) || ms < 0 || ms > 10_000)
    throw new RangeError(`${what} ${ms} ms is not 0-10000 ms`);
  return String(Math.round(ms * 1000));
}

/** Creates the two TUN devices (unconfigured, down) and starts forwarding. */
export async function startDelayLink(options: DelayLinkOptions): Promise<DelayLink> {
  const binary = await ensureDelayLinkHelper();
  const started: StartedProcess = await startProcess(binary, [
    options.nsA,
    options.ifA,
    options.nsB,
    options.ifB,
    toMicroseconds(options.delayAtoBMs, 'delay A->B'),
    toMicroseconds(options.delayBtoAMs, 'delay B->A'),
  ]);
  return {
    options,
    pid: started.child.pid,
    async stats() {
      started.child.kill('SIGUSR1');
      const next = await started.lines.next();
      const m = next.done ? null : /^stats (\d+) (\d+) (\d+) (\d+)$/.exec(next.value);
      if (!m) throw new Error(`delay-link gave no stats line (got ${JSON.stringify(next.value)})`);
      const [ab, abDrop, ba, baDrop] = m.slice(1).map(Number) as [number, number, number, number];
      return { aToB: { forwarded: ab, dropped: abDrop }, bToA: { forwarded: ba, dropped: baDrop } };
    },
    stop: started.stop,
  };
}
