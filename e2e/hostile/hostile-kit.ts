import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { fileURLToPath } from 'node:url';
import type { TLSSocket } from 'node:tls';
import { generateKeyPair } from '../../src-common/crypto/x25519.js';
import { pinMismatch } from '../../src-common/tls/certificate-fingerprint.js';
import { joinWithProof } from '../../src-main/core/control/join-with-proof.js';
import { ControlClient } from '../../src-main/core/control/control-client.js';
import { controlTls } from '../../src-main/core/control/control-tls.js';
import type { MemberInfo } from '../../src-shared/protocol/control-messages.js';

/**
 * The hostile suite's kit: server processes, a legitimate client that measures them during an
 * attack, memory readings, and a raw-socket sender for forged source addresses. Every attack
 * loop in the tests is bounded (a deadline and a count) and stops by itself.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The pass mark of the issue: a legitimate /health or create+join must answer within 1 s. */
export const LEGIT_P99_LIMIT_MS = 1_000;
/** A legitimate request that takes longer than this counts as failed (and fails the p99). */
const PROBE_TIMEOUT_MS = 5_000;
/** Between legitimate probes: a few per second, like a handful of real users. */
const PROBE_GAP_MS = 200;

export const MEMBER: MemberInfo = {
  natType: 'port_restricted_cone',
  publicEndpoint: '198.51.100.7:41641',
  localCandidates: ['192.168.1.20:41641'],
};

export interface ServerProcess {
  child: ChildProcess;
  stdout: string[];
  stop(): Promise<void>;
}

/** Starts `node --import tsx <main> ...args`; resolves at the first stdout line matching `ready`. */
export async function startProcess(
  main: string,
  args: string[],
  ready: RegExp,
): Promise<{ proc: ServerProcess; line: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
    cwd: ROOT,
    env: { ...process.env, LANRAGE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${main} did not start: ${stderr}`)), 20_000);
    let buffer = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffer += d.toString();
      for (const l of buffer.split('\n')) {
        if (!stdout.includes(l) && l) stdout.push(l);
        if (ready.test(l)) {
          clearTimeout(timer);
          resolve(l);
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`${main} exited ${code}: ${stderr}`)));
  });
  const proc: ServerProcess = {
    child,
    stdout,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
  return { proc, line };
}

export interface ControlProcess extends ServerProcess {
  url: string;
  wsUrl: string;
  fingerprint: string;
}

export async function startControl(dbPath: string, extra: string[] = []): Promise<ControlProcess> {
  const { proc, line } = await startProcess(
    'src-server/control/main.ts',
    ['--listen', '127.0.0.1:0', '--db', dbPath, '--dev', ...extra],
    /listening on/,
  );
  const m =
    /listening on (\S+) \(WebSocket (\S+), server key [^,)]+(?:, TLS fingerprint (\S+))?\)/.exec(
      line,
    );
  if (!m) throw new Error(`unexpected control line: ${line}`);
  return { ...proc, url: m[1]!, wsUrl: m[2]!, fingerprint: m[3] ?? '' };
}

/** Resident memory of a process in MB, from /proc (Linux). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
  return Math.round((kb / 1024) * 10) / 10;
}

/** A control client pinned to the server's certificate, connecting from `localAddress`. */
export function pinnedClient(
  control: { wsUrl: string; fingerprint: string },
  localAddress: string,
  requestTimeoutMs = PROBE_TIMEOUT_MS,
): ControlClient {
  const tls = controlTls({
    url: control.wsUrl,
    pin: control.fingerprint || null,
    knownServersPath: null,
    allowInsecure: true,
    warn: () => {},
  });
  if (tls) tls.socketOptions.localAddress = localAddress;
  return new ControlClient({
    url: control.wsUrl,
    privateKey: generateKeyPair().privateKey,
    requestTimeoutMs,
    reconnectBaseMs: 60_000,
    reconnectMaxMs: 60_000,
    tls,
  });
}

/** GET /health over https, pinned, from `localAddress`; resolves with the latency in ms. */
export function healthProbe(
  control: { url: string; fingerprint: string },
  localAddress: string,
): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      `${control.url}/health`,
      { rejectUnauthorized: false, localAddress, timeout: PROBE_TIMEOUT_MS, agent: false },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(performance.now() - started)
            : reject(new Error(`/health answered ${res.statusCode}`)),
        );
      },
    );
    req.once('socket', (s) =>
      (s as TLSSocket).once('secureConnect', () => {
        const problem = pinMismatch(s as TLSSocket, control.fingerprint, 'control');
        if (problem) req.destroy(new Error(problem));
      }),
    );
    req.on('timeout', () => req.destroy(new Error('/health timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Two fresh members: one creates a party, the other joins it; resolves with the latency in ms. */
export async function createJoinProbe(
  control: { wsUrl: string; fingerprint: string },
  localAddress: string,
): Promise<number> {
  const started = performance.now();
  const a = pinnedClient(control, localAddress);
  const b = pinnedClient(control, localAddress);
  try {
    await a.connect();
    const { party } = await a.request('party.create', {
      partyName: 'legit',
      memberName: 'ana',
      member: MEMBER,
    });
    await b.connect();
    // As the app joins: with a join proof if the server asks for one (it does only when the free
    // guessing budgets are spent, which no attack here reaches for the legitimate user's groups).
    await joinWithProof(b, { inviteCode: party.inviteCode, memberName: 'ben', member: MEMBER });
    return performance.now() - started;
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

export interface LegitFigures {
  healthP99: number;
  healthMax: number;
  healthN: number;
  healthFailed: number;
  joinP99: number;
  joinMax: number;
  joinN: number;
  joinFailed: number;
}

function p99(samples: number[]): number {
  if (samples.length === 0) return Infinity;
  const sorted = [...samples].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!;
}

/**
 * A legitimate user measuring the control server until `stop()`: /health and create+join in two
 * loops, from addresses of their own (127.0.1.x, a different /32 from every attacker). Each
 * create+join comes from the next address, as different real users would.
 */
export function legitUser(control: ControlProcess): { stop(): Promise<LegitFigures> } {
  let running = true;
  const health: number[] = [];
  const joins: number[] = [];
  let healthFailed = 0;
  let joinFailed = 0;
  let n = 0;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const healthLoop = (async () => {
    while (running) {
      try {
        health.push(await healthProbe(control, '127.0.1.1'));
      } catch {
        healthFailed++;
      }
      await sleep(PROBE_GAP_MS);
    }
  })();
  const joinLoop = (async () => {
    while (running) {
      n++;
      try {
        joins.push(await createJoinProbe(control, `127.0.1.${10 + (n % 200)}`));
      } catch {
        joinFailed++;
      }
      await sleep(PROBE_GAP_MS);
    }
  })();
  return {
    async stop() {
      running = false;
      await Promise.all([healthLoop, joinLoop]);
      return {
        healthP99: Math.round(p99([...health, ...Array<number>(healthFailed).fill(Infinity)])),
        healthMax: Math.round(Math.max(0, ...health)),
        healthN: health.length,
        healthFailed,
        joinP99: Math.round(p99([...joins, ...Array<number>(joinFailed).fill(Infinity)])),
        joinMax: Math.round(Math.max(0, ...joins)),
        joinN: joins.length,
        joinFailed,
      };
    },
  };
}

/** One line per attack for the report: what was thrown, what the legitimate user saw, memory. */
export function report(attack: string, figures: Record<string, unknown>): void {
  process.stdout.write(`HOSTILE ${attack}: ${JSON.stringify(figures)}\n`);
}

/**
 * Sends UDP datagrams with a forged source address through a raw IP socket (python3's socket
 * module: Node has no raw sockets; needs root). Each datagram: [srcIp, srcPort, payload].
 */
export function sendForged(dstIp: string, dstPort: number, datagrams: [string, number, Buffer][]) {
  const script = `
import socket, struct, sys, json
pkts = json.loads(sys.stdin.read())
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
dst = socket.inet_aton(${JSON.stringify(dstIp)})
for src_ip, src_port, hexpayload in pkts:
    payload = bytes.fromhex(hexpayload)
    src = socket.inet_aton(src_ip)
    udp_len = 8 + len(payload)
    pseudo = src + dst + struct.pack('!BBH', 0, 17, udp_len)
    udp = struct.pack('!HHHH', src_port, ${dstPort}, udp_len, 0) + payload
    data = pseudo + udp + (b'\\0' if len(udp) % 2 else b'')
    c = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while c >> 16: c = (c & 0xffff) + (c >> 16)
    csum = (~c) & 0xffff or 0xffff
    udp = struct.pack('!HHHH', src_port, ${dstPort}, udp_len, csum) + payload
    total = 20 + len(udp)
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, total, 0, 0, 64, 17, 0, src, dst)
    s.sendto(ip + udp, (${JSON.stringify(dstIp)}, 0))
`;
  const result = spawnSync('python3', ['-c', script], {
    input: JSON.stringify(datagrams.map(([ip, port, data]) => [ip, port, data.toString('hex')])),
  });
  if (result.status !== 0) {
    throw new Error(`raw socket send failed (root needed): ${result.stderr.toString()}`);
  }
}

/**
 * Why 40 s past the attack's own deadline: an attacker's last request may wait its full 10 s
 * timeout, its close 1 s, and at nice 19 on a loaded machine it may be starved for seconds more.
 */
const ATTACK_GRACE_MS = 40_000;

/** Runs an attack (attackers.ts) in its own process; resolves with its figures. */
export function runAttack<T = Record<string, number>>(name: string, options: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    // At the lowest priority: on the internet the attacker's CPU would not be ours; here, on the
    // same two cores, it should not count as damage the server let it do.
    const child = spawn(
      'nice',
      [
        '-n',
        '19',
        process.execPath,
        '--import',
        'tsx',
        'e2e/hostile/attack-runner.ts',
        name,
        JSON.stringify(options),
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    // Every attack loop is bounded by its deadline; one that outlives it by this much is stuck,
    // and the test should fail saying so rather than hang until vitest's own timeout.
    const limitMs = ((options as { durationMs?: number }).durationMs ?? 0) + ATTACK_GRACE_MS;
    const killer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`attack ${name} still running after ${limitMs} ms; stderr: ${err}`));
    }, limitMs);
    child.once('exit', (code) => {
      clearTimeout(killer);
      if (code !== 0) reject(new Error(`attack ${name} failed (${code}): ${err}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1)!) as T);
    });
  });
}
