import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinWithProof } from '../../src-main/core/control/join-with-proof.js';
import type { guess, HoldFigures, HoldOptions } from './attackers.js';
import {
  LEGIT_P99_LIMIT_MS,
  legitUser,
  MEMBER,
  pinnedClient,
  report,
  rssMb,
  runAttack,
  startControl,
  type ControlProcess,
  type LegitFigures,
} from './hostile-kit.js';

/**
 * The control server against a hostile internet: each attack runs for ATTACK_MS from attacker
 * addresses (127.0.0.x; every 127/8 address is loopback on Linux) while a legitimate user on
 * 127.0.1.x measures /health and create+join. Every figure is printed as a `HOSTILE` line.
 */

/** Long enough to pass the 5 s header and TLS deadlines, short enough for a few-minute suite. */
const ATTACK_MS = 8_000;
// Slow clients must be held past the server's 5 s first-request deadline to be cut by it: on a
// loaded machine the attacker (at nice 19) completes its TLS handshakes seconds into the attack,
// so those attacks last the deadline plus a full attack window.
const SLOW_ATTACK_MS = 5_000 + ATTACK_MS;
/** Why 400 MB: the bench's loaded server is ~150 MB; twice that plus margin is still one small VM. */
const RSS_LIMIT_MB = 400;
/**
 * The test's own reads of /metrics and /health: a server that does not answer them in 5 s has
 * failed the legitimate user anyway, and an unbounded read would hang the test instead of failing.
 */
const SAMPLE_TIMEOUT_MS = 5_000;
/** The legitimate user's own connections (a /health, a create+join pair, the metrics sampler). */
const LEGIT_CONNECTIONS_MARGIN = 16;

const sources = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => `127.0.0.${from + i}`);

type GuessFigures = Awaited<ReturnType<typeof guess>>;

const hold = (o: HoldOptions) => runAttack<HoldFigures>('hold', o);

let dir: string;
let control: ControlProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lanrage-hostile-control-'));
  control = await startControl(join(dir, 'control.db'));
});

afterAll(async () => {
  await control?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The server's own view (/metrics): what the attacker's starved process cannot see reliably. */
interface ServerView {
  peakTcpOpen: number;
  slowClientsCut: number;
  refusedGroupCap: number;
  quotaRefused: number;
}

async function underAttack<T>(
  name: string,
  attack: () => Promise<T>,
): Promise<{ legit: LegitFigures; attack: T; server: ServerView }> {
  const rssBefore = rssMb(control.child.pid!);
  const before = await metrics();
  let peakTcpOpen = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peakTcpOpen = Math.max(peakTcpOpen, (await metrics()).lanrage_control_tcp_connections_open!);
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  const user = legitUser(control);
  const result = await attack();
  const legit = await user.stop();
  sampling = false;
  await sampler;
  const after = await metrics();
  const delta = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
  const server: ServerView = {
    peakTcpOpen,
    slowClientsCut: delta('lanrage_control_slow_clients_cut'),
    refusedGroupCap: delta('lanrage_control_admission_refused_group_cap'),
    quotaRefused: delta('lanrage_control_quota_refused'),
  };
  const rssAfter = rssMb(control.child.pid!);
  report(name, { attack: result, server, legit, rssMb: { before: rssBefore, after: rssAfter } });
  expect(rssAfter).toBeLessThan(RSS_LIMIT_MB);
  return { legit, attack: result, server };
}

async function metrics(): Promise<Record<string, number>> {
  const { request } = await import('node:https');
  const text = await new Promise<string>((resolve, reject) => {
    request(
      `${control.url}/metrics`,
      { rejectUnauthorized: false, localAddress: '127.0.1.2', timeout: SAMPLE_TIMEOUT_MS },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(body));
      },
    )
      .on('timeout', function (this: { destroy(e: Error): void }) {
        this.destroy(new Error(`GET /metrics got no answer in ${SAMPLE_TIMEOUT_MS} ms`));
      })
      .on('error', reject)
      .end();
  });
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(lanrage_control_[a-z_]+) (\d+(?:\.\d+)?)$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

/**
 * The pass mark: p99 under 1 s — or, when the machine is so loaded (other work on the same two
 * cores) that even the unattacked baseline of this run is slow, under BASELINE_FACTOR × that
 * baseline. On a quiet machine (baseline ~0.1 s) this is exactly the 1 s of the issue.
 */
const BASELINE_FACTOR = 4;
let baseline: LegitFigures | null = null;

function expectServed(legit: LegitFigures): void {
  expect(legit.healthFailed).toBe(0);
  expect(legit.joinFailed).toBe(0);
  expect(legit.healthN).toBeGreaterThan(5);
  expect(legit.joinN).toBeGreaterThan(2);
  const healthLimit = Math.max(LEGIT_P99_LIMIT_MS, BASELINE_FACTOR * (baseline?.healthP99 ?? 0));
  const joinLimit = Math.max(LEGIT_P99_LIMIT_MS, BASELINE_FACTOR * (baseline?.joinP99 ?? 0));
  report('limits', { healthLimit, joinLimit });
  expect(legit.healthP99).toBeLessThan(healthLimit);
  expect(legit.joinP99).toBeLessThan(joinLimit);
}

describe('the control server under attack', () => {
  it('serves a legitimate user while idle (the baseline)', async () => {
    const { legit } = await underAttack('baseline (no attack)', async () => {
      await new Promise((r) => setTimeout(r, 4_000));
      return {};
    });
    expectServed(legit);
    baseline = legit;
  });

  it('cuts HTTP slowloris connections at the header deadline and caps each source', async () => {
    const { legit, server } = await underAttack('slowloris on HTTP headers', () =>
      hold({
        port: Number(new URL(control.url).port),
        sources: sources(2, 4),
        perSource: 400,
        durationMs: SLOW_ATTACK_MS,
        maxAttempts: 6_000,
        mode: 'slow-headers',
        requestHead: 'GET /health HTTP/1.1\r\nHost: lanrage\r\n',
        dripMs: 1_000,
      }),
    );
    expectServed(legit);
    // The server cut the slow ones itself at the 5 s deadline, and refused each source beyond its
    // 32 (the attacker's own view is reported, not asserted: it runs at nice 19 on a loaded
    // machine and notices closes late).
    expect(server.slowClientsCut).toBeGreaterThan(0);
    expect(server.refusedGroupCap).toBeGreaterThan(0);
    expect(server.peakTcpOpen).toBeLessThanOrEqual(4 * 32 + LEGIT_CONNECTIONS_MARGIN);
  });

  it('cuts slowloris WebSocket upgrades and silent TLS clients the same way', async () => {
    const port = Number(new URL(control.url).port);
    const { legit, server } = await underAttack('slowloris on the WebSocket upgrade', async () => {
      const [upgrade, silent] = await Promise.all([
        hold({
          port,
          sources: sources(6, 2),
          perSource: 400,
          durationMs: SLOW_ATTACK_MS,
          maxAttempts: 3_000,
          mode: 'slow-headers',
          requestHead:
            'GET /v1/ws HTTP/1.1\r\nHost: lanrage\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n',
          dripMs: 1_000,
        }),
        hold({
          port,
          sources: sources(8, 2),
          perSource: 400,
          durationMs: SLOW_ATTACK_MS,
          maxAttempts: 3_000,
          mode: 'tcp',
        }),
      ]);
      return { upgrade, silentTcpNoTlsHandshake: silent };
    });
    expectServed(legit);
    expect(server.slowClientsCut).toBeGreaterThan(0);
    expect(server.peakTcpOpen).toBeLessThanOrEqual(4 * 32 + LEGIT_CONNECTIONS_MARGIN);
  });

  it('refuses a connection flood from several sources beyond each one’s share', async () => {
    const { legit, server } = await underAttack('connection flood from 8 sources', () =>
      hold({
        port: Number(new URL(control.url).port),
        sources: sources(20, 8),
        perSource: 1_000,
        durationMs: ATTACK_MS,
        maxAttempts: 16_000,
        mode: 'tls',
      }),
    );
    expectServed(legit);
    // 8 sources × 32 connections each at once: the rest were refused at accept.
    expect(server.peakTcpOpen).toBeLessThanOrEqual(8 * 32 + LEGIT_CONNECTIONS_MARGIN);
    expect(server.refusedGroupCap).toBeGreaterThan(0);
  });

  it('holds create/leave churn from many keys to the per-key and per-address quotas', async () => {
    const before = (await (await healthJson()).parties) as number;
    const { legit, attack } = await underAttack('create/leave churn from 4 sources', () =>
      runAttack('churn', {
        control: { wsUrl: control.wsUrl, fingerprint: control.fingerprint },
        sources: sources(30, 4),
        sessionsPerSource: 40,
        durationMs: ATTACK_MS,
      }),
    );
    expectServed(legit);
    const after = (await (await healthJson()).parties) as number;
    report('create/leave churn: parties left behind', { before, after });
    // 4 sources × (burst 10 + 10/min) creates at most, whatever the number of keys.
    expect(attack.created).toBeLessThanOrEqual(4 * 12);
  });

  it('limits invite guessing from 20 addresses without locking out a real invitee', async () => {
    const host = pinnedClient(control, '127.0.1.250');
    await host.connect();
    const { party } = await host.request('party.create', {
      partyName: 'target',
      memberName: 'host',
      member: MEMBER,
    });
    const { legit, attack } = await underAttack('invite guessing from 20 addresses', async () => {
      const counts = await runAttack<GuessFigures>('guess', {
        control: { wsUrl: control.wsUrl, fingerprint: control.fingerprint },
        sources: sources(40, 20),
        durationMs: ATTACK_MS,
      });
      // A real invitee behind one of the guessing addresses types the right code: its app pays
      // the join proof its network now needs, and it gets in.
      const invitee = pinnedClient(control, '127.0.0.40');
      await invitee.connect();
      const started = performance.now();
      const joined = await joinWithProof(invitee, {
        inviteCode: party.inviteCode,
        memberName: 'real',
        member: MEMBER,
      });
      const inviteeJoinMs = Math.round(performance.now() - started);
      await invitee.close();
      return { ...counts, inviteeJoined: joined.party.id === party.id, inviteeJoinMs };
    });
    await host.close();
    expectServed(legit);
    expect(attack.inviteeJoined).toBe(true);
    // Free guesses: 10 wrong codes a minute per address group, 20 groups (under the server-wide
    // 600). Past that, every guess carried a proof the attacker had to solve first.
    expect(attack.checkedFree).toBeLessThanOrEqual(20 * 10);
    expect(attack.checkedProven).toBeLessThanOrEqual(attack.proofsSolved);
    expect(attack.otherErrors).toBe(0);
  });
});

describe('the control channel on the wire', () => {
  it('shows a sniffer no invite code, key or endpoint during a join', async () => {
    const seen = await captureJoin(control);
    report('capture of a join over wss', {
      bytes: seen.bytes.length,
      inviteCodeFound: seen.found.invite,
      publicKeyFound: seen.found.key,
      endpointFound: seen.found.endpoint,
      sideKeyFound: seen.found.sideKey,
    });
    expect(seen.bytes.length).toBeGreaterThan(2_000);
    expect(seen.found).toEqual({ invite: false, key: false, endpoint: false, sideKey: false });
  });

  it('would show them over plain ws:// (the capture sees clear text when there is some)', async () => {
    const plain = await startControl(join(dir, 'plain.db'), ['--no-tls']);
    try {
      const seen = await captureJoin(plain);
      expect(seen.found).toEqual({ invite: true, key: true, endpoint: true, sideKey: true });
    } finally {
      await plain.stop();
    }
  });
});

async function healthJson(): Promise<Record<string, unknown>> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    request(
      `${control.url}/health`,
      { rejectUnauthorized: false, timeout: SAMPLE_TIMEOUT_MS },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve(JSON.parse(text) as Record<string, unknown>));
      },
    )
      .on('timeout', function (this: { destroy(e: Error): void }) {
        this.destroy(new Error(`GET /health got no answer in ${SAMPLE_TIMEOUT_MS} ms`));
      })
      .on('error', reject)
      .end();
  });
}

/**
 * A TCP proxy on loopback records every byte both ways while two members create, join and fetch
 * a route grant through it; then the capture is searched for what a passive sniffer must not see.
 */
async function captureJoin(target: ControlProcess) {
  const targetUrl = new URL(target.url);
  const chunks: Buffer[] = [];
  const proxy: Server = createServer((inbound) => {
    const outbound = connect(Number(targetUrl.port), '127.0.0.1');
    inbound.on('data', (d: Buffer) => {
      chunks.push(Buffer.from(d));
      outbound.write(d);
    });
    outbound.on('data', (d: Buffer) => {
      chunks.push(Buffer.from(d));
      inbound.write(d);
    });
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
    inbound.on('error', () => {});
    outbound.on('error', () => {});
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const port = (proxy.address() as { port: number }).port;
  const via = {
    wsUrl: target.wsUrl.replace(/:\d+\//, `:${port}/`),
    fingerprint: target.fingerprint,
  };
  const a = pinnedClient(via, '127.0.1.240');
  const b = pinnedClient(via, '127.0.1.241');
  try {
    await a.connect();
    const { party } = await a.request('party.create', {
      partyName: 'sniffed',
      memberName: 'ana',
      member: MEMBER,
    });
    await b.connect();
    await b.request('party.join', {
      inviteCode: party.inviteCode,
      memberName: 'ben',
      member: MEMBER,
    });
    const grant = await b.request('route.token', { partyId: party.id, peer: a.publicKey });
    await new Promise((r) => setTimeout(r, 200));
    const bytes = Buffer.concat(chunks);
    const has = (text: string) => bytes.includes(Buffer.from(text));
    return {
      bytes,
      found: {
        invite: has(party.inviteCode),
        key: has(a.publicKey),
        endpoint: has(MEMBER.publicEndpoint!),
        sideKey: has(grant.sideKey),
      },
    };
  } finally {
    await Promise.all([a.close(), b.close()]);
    proxy.close();
  }
}
