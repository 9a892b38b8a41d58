import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlClient } from '../../../src-main/core/control/control-client.js';
import { generateKeyPair } from '../../../src-common/crypto/x25519.js';
import { memberInfo, spawnControlServer } from '../test-support.js';

/**
 * 4,000 clients in 1,000 parties joining over WebSocket, against the control server running as
 * a child process (so its memory is its own). Every client is the real client library.
 *
 *   npx tsx src-server/control/bench/control-join.bench.ts [--clients 4000] [--rate 500]
 *
 * Joins arrive open-loop at --rate per second (a steady stream, as real parties form), each
 * party's members one after another; latency is request → result at the client.
 */

const PARTY_SIZE = 4;
/** Aims from the issue: join p99 ≤ 50 ms, server ≤ 300 MB. */
const AIM_P99_MS = 50;
const AIM_RSS_MB = 300;
/** Connections opened at once; more only fills the listen backlog on two cores. */
const CONNECT_BATCH = 200;

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function statusKb(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
    readFileSync(`/proc/${pid}/status`, 'utf8'),
  );
  return m ? Number(m[1]) : NaN;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function line(label: string, value: number, unit: string, aim?: number): string {
  const ratio =
    aim === undefined ? '' : `  (aim ≤ ${aim} ${unit}; ratio ${(value / aim).toFixed(2)})`;
  return `${label.padEnd(28)} ${value.toFixed(unit === 'ms' ? 2 : 0).padStart(9)} ${unit}${ratio}`;
}

async function main(): Promise<void> {
  const clientCount = flag('clients', 4000);
  const rate = flag('rate', 500);
  const parties = Math.floor(clientCount / PARTY_SIZE);
  const dir = mkdtempSync(join(tmpdir(), 'lanrage-control-bench-'));
  const server = await spawnControlServer(
    ['--listen', '127.0.0.1:0', '--db', join(dir, 'bench.db'), '--dev'],
    { ...process.env, LANRAGE_LOG_LEVEL: 'warn' },
  );
  const pid = server.child.pid!;
  const idleRssKb = statusKb(pid, 'VmRSS');
  try {
    const clients: ControlClient[] = [];
    let eventsDelivered = 0;
    const connectStart = performance.now();
    for (let i = 0; i < clientCount; i += CONNECT_BATCH) {
      const batch = Array.from({ length: Math.min(CONNECT_BATCH, clientCount - i) }, () => {
        const c = new ControlClient({
          url: server.wsUrl,
          privateKey: generateKeyPair().privateKey,
          requestTimeoutMs: 30_000,
        });
        c.on('event', (e) => {
          if (e.event === 'member.joined') eventsDelivered++;
        });
        clients.push(c);
        return c.connect();
      });
      await Promise.all(batch);
    }
    const connectMs = performance.now() - connectStart;

    const creators = clients.slice(0, parties);
    const codes = await Promise.all(
      creators.map(async (c, i) => {
        const { party } = await c.request('party.create', {
          partyName: `party ${i}`,
          memberName: 'host',
          member: memberInfo(),
        });
        return party.inviteCode;
      }),
    );

    // Joiner k of every party, then joiner k+1: parties fill side by side, as they would.
    const joins: { client: ControlClient; code: string }[] = [];
    for (let k = 1; k < PARTY_SIZE; k++) {
      for (let p = 0; p < parties; p++)
        joins.push({ client: clients[k * parties + p]!, code: codes[p]! });
    }
    const latencies: number[] = [];
    let failures = 0;
    // The bench's own event loop delay: if it is high, latencies measure us, not the server.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const joinStart = performance.now();
    await new Promise<void>((resolve) => {
      let launched = 0;
      let settled = 0;
      const tick = setInterval(() => {
        const due = Math.min(
          joins.length,
          Math.floor(((performance.now() - joinStart) / 1000) * rate),
        );
        for (; launched < due; launched++) {
          const { client, code } = joins[launched]!;
          const t0 = performance.now();
          client
            .request('party.join', { inviteCode: code, memberName: 'guest', member: memberInfo() })
            .then(
              () => latencies.push(performance.now() - t0),
              () => failures++,
            )
            .finally(() => {
              if (++settled === joins.length) resolve();
            });
        }
        if (launched === joins.length) clearInterval(tick);
      }, 5);
    });
    const joinWallMs = performance.now() - joinStart;
    loopDelay.disable();
    const expectedEvents = parties * ((PARTY_SIZE * (PARTY_SIZE - 1)) / 2);
    const waitUntil = performance.now() + 10_000;
    while (eventsDelivered < expectedEvents && performance.now() < waitUntil) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const rssKb = statusKb(pid, 'VmRSS');
    const peakKb = statusKb(pid, 'VmHWM');
    latencies.sort((a, b) => a - b);

    const out = [
      `control-join: ${clientCount} clients, ${parties} parties of ${PARTY_SIZE}, joins at ${rate}/s`,
      line('connect + login (all)', connectMs, 'ms'),
      line('joins completed', latencies.length, ''),
      line('joins failed', failures, ''),
      line('join wall time', joinWallMs, 'ms'),
      line('join latency p50', percentile(latencies, 50), 'ms', AIM_P99_MS),
      line('join latency p99', percentile(latencies, 99), 'ms', AIM_P99_MS),
      line('join latency max', latencies.at(-1) ?? NaN, 'ms'),
      line('bench loop delay p99', loopDelay.percentile(99) / 1e6, 'ms'),
      `${'member.joined delivered'.padEnd(28)} ${eventsDelivered} of ${expectedEvents} (ratio ${(eventsDelivered / expectedEvents).toFixed(3)})`,
      line('server RSS idle', idleRssKb / 1024, 'MB'),
      line('server RSS loaded', rssKb / 1024, 'MB', AIM_RSS_MB),
      line('server RSS peak', peakKb / 1024, 'MB', AIM_RSS_MB),
    ];
    process.stdout.write(out.join('\n') + '\n');
    await Promise.all(clients.map((c) => c.close()));
  } finally {
    // SIGTERM first: a clean shutdown (and lets NODE_OPTIONS=--cpu-prof write its profile).
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    const timer = setTimeout(() => server.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `control-join bench failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
