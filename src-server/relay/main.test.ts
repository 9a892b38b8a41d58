import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRelayData } from '../../src-shared/protocol/relay-frames.js';
import { bindAtRelay, grantPair, openClient, TEST_SECRET } from './relay-test-kit.js';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const running: Run[] = [];
afterEach(() => {
  for (const run of running.splice(0)) if (run.child.exitCode === null) run.child.kill('SIGKILL');
});

function run(args: string[], env: Record<string, string | undefined> = {}): Run {
  const childEnv = { ...process.env, LANRAGE_RELAY_SECRET: undefined, ...env };
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const r = { child, stdout: () => out, stderr: () => err, exited };
  running.push(r);
  return r;
}

/** A port that was free a moment ago (the CLI takes host:port, not port 0). */
async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function freeTcpPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitFor(get: () => string, pattern: RegExp, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(get())) {
    if (Date.now() > deadline) throw new Error(`no ${pattern} in:\n${get()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('lanrage-relay CLI', () => {
  // Each case is a process start (~1 s of tsx on this machine), so only a few are checked here.
  it('refuses to start without LANRAGE_RELAY_SECRET unless --dev', async () => {
    const r = run(['--listen', '127.0.0.1:1']);
    expect(await r.exited).toBe(2);
    expect(r.stderr()).toMatch(/LANRAGE_RELAY_SECRET is not set/);
  });

  it.each([
    [['--max-routes', 'lots'], /--max-routes lots: must be a positive integer/],
    [['--control', 'http://127.0.0.1:9', '--listen', '0.0.0.0:7401'], /--public-endpoint/],
  ])('exits 2 with a message naming the problem for %j', async (args, message) => {
    const r = run(['--dev', '--metrics', 'off', ...args]);
    expect(await r.exited).toBe(2);
    expect(r.stderr()).toMatch(message);
  });

  it('serves a pair, reports on its metrics endpoint and stops cleanly on SIGTERM', async () => {
    const port = await freeUdpPort();
    const metricsPort = await freeTcpPort();
    const r = run(
      [
        '--listen',
        `127.0.0.1:${port}`,
        '--metrics',
        `127.0.0.1:${metricsPort}`,
        '--id',
        'cli-relay',
      ],
      {
        LANRAGE_RELAY_SECRET: TEST_SECRET.toString('utf8'),
      },
    );
    await waitFor(r.stdout, /listening on udp 127\.0\.0\.1:\d+/);
    const [routeA, routeB] = grantPair(TEST_SECRET, Math.floor(Date.now() / 1000) + 600);
    const a = await openClient();
    const b = await openClient();
    try {
      await bindAtRelay(a, port, routeA);
      await bindAtRelay(b, port, routeB);
      const frame = Buffer.from(
        encodeRelayData(routeA.routeId, Buffer.from('through a real process')),
      );
      await a.send(frame, port);
      expect(await b.next(3000)).toEqual(frame);
      const stats = (await (await fetch(`http://127.0.0.1:${metricsPort}/stats`)).json()) as Record<
        string,
        unknown
      >;
      expect(stats).toMatchObject({
        id: 'cli-relay',
        forwardedPackets: 1,
        bindsAccepted: 2,
        routesActive: 1,
      });
    } finally {
      await a.close();
      await b.close();
    }
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
    expect(r.stderr()).toMatch(/SIGTERM: shutting down/);
    expect(r.stderr()).toMatch(/stopped .*forwarded=1/);
  });
});
