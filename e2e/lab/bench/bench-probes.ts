import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { runIn, startProcess } from '../exec.js';
import { percentile, ping } from '../ping.js';
import { runIperf3Client, startIperf3Server } from '../iperf3.js';

/** Measurements shared by the lab benchmarks: every one runs real tools inside namespaces. */
const HERE = dirname(fileURLToPath(import.meta.url));
// Absolute, so the helper runs under tsx whatever the caller's working directory.
const TSX = import.meta.resolve('tsx');
const REPLY_LINE = /^\[(\d+\.\d+)\] \d+ bytes from /;

export interface RttStats {
  p50: number;
  p99: number;
  lost: number;
  sent: number;
}

function stats(rttsMs: number[], sent: number): RttStats {
  return {
    p50: percentile(rttsMs, 50),
    p99: percentile(rttsMs, 99),
    lost: sent - rttsMs.length,
    sent,
  };
}

/** ICMP RTT over `count` pings at `intervalS`. */
export async function pingStats(
  ns: string,
  target: string,
  count: number,
  intervalS: number,
): Promise<RttStats> {
  const { rttsMs, sent } = await ping(ns, target, count, intervalS);
  return stats(rttsMs, sent);
}

/**
 * Milliseconds from `startedAtMs` (wall clock) to the first ICMP echo reply from `target` over
 * interface `ifname` in `ns`. A ping started before the interface exists would pick the LAN
 * source address and never be answered through the tunnel, so the loop first waits (10 ms
 * steps) for the route to go through `ifname`, then pings every 20 ms, restarting ping whenever
 * it gives up on an error. The reply's own timestamp (ping -D) is used, not when we notice it.
 */
export async function firstReplyMs(
  ns: string,
  target: string,
  ifname: string,
  startedAtMs: number,
  timeoutS: number,
): Promise<number> {
  const script = [
    'until ip route get "$1" 2>/dev/null | grep -q " dev $2 "; do sleep 0.01; done',
    'until ping -n -D -c 1 -w 2 -i 0.02 "$1"; do sleep 0.01; done',
  ].join('\n');
  const { stdout } = await runIn(ns, 'timeout', [
    String(timeoutS),
    'sh',
    '-c',
    script,
    'sh',
    target,
    ifname,
  ]).catch((error: unknown) => {
    throw new Error(`no ping reply from ${target} in ${ns} within ${timeoutS} s`, {
      cause: error,
    });
  });
  const stamps = stdout
    .split('\n')
    .map((line) => REPLY_LINE.exec(line)?.[1])
    .filter((s): s is string => s !== undefined);
  const last = stamps.at(-1);
  if (last === undefined) throw new Error(`ping to ${target} exited 0 without a reply line`);
  return Number(last) * 1000 - startedAtMs;
}

/** A ping running in the background, recording when (wall clock, ms) each reply arrived. */
export class PingStream {
  readonly replies: number[] = [];
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ReturnType<typeof spawn>) {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const stamp = REPLY_LINE.exec(line)?.[1];
      if (stamp !== undefined) this.replies.push(Number(stamp) * 1000);
    });
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
  }

  static start(ns: string, target: string, intervalS: number): PingStream {
    // No -w/-c: with a deadline ping quits at the first ICMP error, and an outage is the point.
    const child = spawn(
      'ip',
      ['netns', 'exec', ns, 'ping', '-n', '-D', '-i', String(intervalS), target],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    return new PingStream(child);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGINT');
      await this.exited;
    }
  }
}

/** UDP echo server (udp-echo.ts) in `ns`; stop it when done. */
export async function startUdpEcho(ns: string, port: number): Promise<() => Promise<void>> {
  const proc = await startProcess('ip', [
    'netns',
    'exec',
    ns,
    process.execPath,
    '--import',
    TSX,
    join(HERE, 'udp-echo.ts'),
    'server',
    String(port),
  ]);
  return () => proc.stop();
}

/** Game-like load: `count` datagrams of `bytes` at `pps` to an echo at target:port. */
export async function udpEchoStats(
  ns: string,
  target: string,
  port: number,
  load: { pps: number; count: number; bytes: number },
): Promise<RttStats> {
  const { stdout } = await runIn(ns, process.execPath, [
    '--import',
    TSX,
    join(HERE, 'udp-echo.ts'),
    'client',
    target,
    String(port),
    String(load.pps),
    String(load.count),
    String(load.bytes),
  ]);
  const result = JSON.parse(stdout) as { sent: number; rttsMs: number[] };
  return stats(result.rttsMs, result.sent);
}

/** iperf3 TCP from clientNs to a one-shot server bound to `target` in serverNs; Mbit/s received. */
export async function throughputMbps(
  serverNs: string,
  clientNs: string,
  target: string,
  seconds: number,
): Promise<number> {
  const server = await startIperf3Server(serverNs, target);
  const report = await runIperf3Client(clientNs, server, [
    '-t',
    String(seconds),
    '--connect-timeout',
    '3000',
  ]);
  const received = report.end.sum_received;
  if (!received) throw new Error('iperf3 TCP report has no end.sum_received');
  return received.bits_per_second / 1e6;
}
