import { LabCommandError, runIn } from './exec.js';

/** ICMP round trips measured with the system `ping` inside a namespace. */
export interface PingResult {
  sent: number;
  rttsMs: number[];
}

export async function ping(
  ns: string,
  target: string,
  count: number,
  intervalSeconds = 0.2,
  /** With a deadline, ping keeps sending until `count` replies came back or the deadline passed. */
  deadlineSeconds?: number,
): Promise<PingResult> {
  // ping exits 1 when some replies are missing; the caller judges loss from rttsMs.
  const args = ['-n', '-c', String(count), '-i', String(intervalSeconds), '-W', '1', target];
  if (deadlineSeconds !== undefined) args.splice(1, 0, '-w', String(deadlineSeconds));
  const result = await runIn(ns, 'ping', args).catch((error: unknown) => {
    if (error instanceof LabCommandError && error.exitCode === 1)
      return { stdout: error.stdout, stderr: error.stderr };
    throw error;
  });
  const rttsMs = [...result.stdout.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));
  return { sent: count, rttsMs };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}
