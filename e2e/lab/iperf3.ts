import { LabCommandError, runIn } from './exec.js';

/**
 * iperf3 in the lab without races: each one-shot server gets a port of its own (a server that
 * just finished may still hold its port for a moment), the client starts only once the server
 * listens (`iperf3 -D` returns before the daemon has bound), and a failed run reports iperf3's
 * own `error` field instead of a missing number further down.
 */

// iperf3's default is 5201; each server in a run takes the next port so none waits for another.
const FIRST_PORT = 5301;
const LAST_PORT = 5399;
// The daemon binds within milliseconds; a second covers a machine loaded by other lab runs.
const READY_TIMEOUT_MS = 5_000;
const READY_POLL_MS = 20;

let nextPort = FIRST_PORT;

export interface Iperf3Server {
  ns: string;
  host: string;
  port: number;
}

/** Starts a one-shot iperf3 server bound to `host` in `ns` and waits until it listens. */
export async function startIperf3Server(ns: string, host: string): Promise<Iperf3Server> {
  const port = nextPort;
  nextPort = nextPort >= LAST_PORT ? FIRST_PORT : nextPort + 1;
  await runIn(ns, 'iperf3', ['-s', '-1', '-D', '-B', host, '-p', String(port)]);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    // iperf3's control connection is TCP for UDP tests too: a TCP listener means it is ready.
    const { stdout } = await runIn(ns, 'ss', ['-Hltn', `sport = :${port}`]);
    if (stdout.trim() !== '') return { ns, host, port };
    if (Date.now() > deadline) {
      throw new Error(`iperf3 server in ${ns} did not listen on ${host}:${port} within 5 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
}

export interface Iperf3Report {
  end: {
    sum?: { packets?: number };
    sum_received?: { bits_per_second: number };
  };
}

/**
 * Runs `iperf3 -c` against `server` with extra `args` (JSON output) and returns the report;
 * throws with iperf3's own `error` text when the run failed.
 */
export async function runIperf3Client(
  clientNs: string,
  server: Iperf3Server,
  args: readonly string[],
): Promise<Iperf3Report> {
  let stdout: string;
  try {
    ({ stdout } = await runIn(clientNs, 'iperf3', [
      '-c',
      server.host,
      '-p',
      String(server.port),
      '-J',
      ...args,
    ]));
  } catch (error) {
    // iperf3 exits non-zero on failure but still prints its JSON, whose `error` says why.
    if (error instanceof LabCommandError) stdout = error.stdout;
    else throw error;
  }
  let report: Iperf3Report & { error?: string };
  try {
    report = JSON.parse(stdout) as Iperf3Report & { error?: string };
  } catch {
    throw new Error(`iperf3 client printed no JSON report: ${stdout.slice(0, 400)}`);
  }
  if (typeof report.error === 'string') throw new Error(`iperf3 failed: ${report.error}`);
  if (!report.end) throw new Error('iperf3 report has no "end" section');
  return report;
}
