import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PeerDiscoveryStatus } from '../../src-shared/domain/core-status.js';
import { startProcess, runIn, type StartedProcess } from './exec.js';
import { labScript } from './lab-scripts.js';
import { startInNamespace, type LabProcess } from './lanrage-process.js';
import { formatAnnouncement, parseAnnouncement } from './minecraft-lan-announce.js';
import { brief, PartyLab, type StatusJson } from './party-lab.js';
import { percentile, ping } from './ping.js';

/**
 * Game discovery across a party (issue 11): three players behind three kinds of NAT — a↔b is
 * relayed (port-restricted ↔ symmetric), a↔c and b↔c are direct — each running the real
 * `lanrage up` with the real helper. Games' broadcasts and multicasts, sent from sockets bound to
 * 0.0.0.0 exactly as games send them, must reach the other players from the sender's virtual IP,
 * once each, and a real Teeworlds server must be found by its own LAN query.
 */
const PLAYERS = [
  { name: 'a', nat: 'port_restricted' as const },
  { name: 'b', nat: 'symmetric' as const },
  { name: 'c', nat: 'full_cone' as const },
];
/** Every pair connected: relay bind, punch window, first probes (as in party.lab.test.ts). */
const SETTLE_MS = 25_000;
/** A listener's window: the send, its way through the tunnel and the answer take milliseconds. */
const LISTEN_MS = 2_500;
/** What the sender waits for unicast answers after its broadcast. */
const ANSWER_WAIT_MS = 1_200;
/** The storm: far beyond any game's discovery rate, bounded so the run stays short. */
const STORM_PACKETS = 3_000;
/** The token bucket (helper/internal/discovery): 20 per second, bursts of 40. */
const RATE_PER_SECOND = 20;
const BURST = 40;

let party: PartyLab;
const vip = new Map<string, string>();
let probe: string;

function ns(name: string): string {
  return party.player(name).ns;
}

async function listen(
  name: string,
  port: number,
  group = '',
  answer = true,
  ms = LISTEN_MS,
): Promise<StartedProcess> {
  return startProcess('ip', [
    'netns',
    'exec',
    ns(name),
    process.execPath,
    probe,
    'listen',
    String(port),
    String(ms),
    group,
    answer ? 'answer' : '',
  ]);
}

type Datagram = { from: string; text: string };

async function received(listener: StartedProcess): Promise<Datagram[]> {
  const line = await listener.lines.next();
  await listener.stop();
  return (JSON.parse(line.value as string) as { received: Datagram[] }).received;
}

async function send(
  name: string,
  ip: string,
  port: number,
  text: string,
  count = 1,
  waitMs = ANSWER_WAIT_MS,
): Promise<{ sent: number; replies: Datagram[] }> {
  const { stdout } = await runIn(ns(name), process.execPath, [
    probe,
    'send',
    ip,
    String(port),
    text,
    String(count),
    String(waitMs),
  ]);
  return JSON.parse(stdout) as { sent: number; replies: Datagram[] };
}

function discoveryOf(s: StatusJson, peer: string): PeerDiscoveryStatus {
  const p = s.peers.find((x) => x.name === peer);
  if (!p?.discovery) throw new Error(`${s.self.name}: no discovery counters for ${peer}`);
  return p.discovery;
}

async function counters(): Promise<Map<string, StatusJson>> {
  const all = await Promise.all(PLAYERS.map(async (p) => [p.name, await party.status(p.name)]));
  return new Map(all as [string, StatusJson][]);
}

const host = (from: string) => from.split(':')[0];

beforeAll(async () => {
  probe = await labScript('discovery-probe.ts');
  party = await PartyLab.start({ players: PLAYERS, relays: [{ name: 'near', delayMs: 2 }] });
  const invite = (await party.up('a', { create: 'lan night' }))!;
  await Promise.all(['b', 'c'].map((n) => party.up(n, { join: invite })));
  const names = PLAYERS.map((p) => p.name);
  for (const n of names) {
    const s = await party.waitForStatus(
      n,
      (st) =>
        names
          .filter((x) => x !== n)
          .every((x) => {
            const p = st.peers.find((y) => y.name === x);
            return p !== undefined && p.state === 'connected' && p.latencyMs !== null;
          }),
      SETTLE_MS,
      'all peers connected',
    );
    vip.set(n, s.self.virtualIp!);
  }
}, 120_000);

afterAll(async () => {
  await party?.stop();
}, 60_000);

describe('LAN game discovery across a party of three behind three NATs', () => {
  it('has one relayed pair and two direct ones', async () => {
    const a = await party.status('a');
    const b = await party.status('b');
    const strategies = [
      a.peers.find((p) => p.name === 'b')?.strategy,
      a.peers.find((p) => p.name === 'c')?.strategy,
      b.peers.find((p) => p.name === 'c')?.strategy,
    ];
    expect(strategies, [...a.peers, ...b.peers].map(brief).join(', ')).toEqual([
      'relay',
      'direct',
      'direct',
    ]);
  });

  it('carries a broadcast to 255.255.255.255:27015 to b and c from a, once each, and their answers back', async () => {
    const before = await counters();
    const [lb, lc] = await Promise.all([listen('b', 27015), listen('c', 27015)]);
    const result = await send('a', '255.255.255.255', 27015, 'A2S_INFO from a');
    const [gotB, gotC] = await Promise.all([received(lb), received(lc)]);
    expect(gotB.map((d) => [host(d.from), d.text])).toEqual([[vip.get('a'), 'A2S_INFO from a']]);
    expect(gotC.map((d) => [host(d.from), d.text])).toEqual([[vip.get('a'), 'A2S_INFO from a']]);
    expect(result.replies.map((d) => [host(d.from), d.text]).sort()).toEqual(
      [
        [vip.get('b'), 'answer:A2S_INFO from a'],
        [vip.get('c'), 'answer:A2S_INFO from a'],
      ].sort(),
    );
    // Counted: a forwarded exactly one copy to each, each delivered exactly one, nobody re-forwarded.
    const after = await counters();
    const delta = (who: string, peer: string, field: keyof PeerDiscoveryStatus) =>
      discoveryOf(after.get(who)!, peer)[field] - discoveryOf(before.get(who)!, peer)[field];
    expect({
      aToB: delta('a', 'b', 'forwarded'),
      aToC: delta('a', 'c', 'forwarded'),
      bFromA: delta('b', 'a', 'received'),
      cFromA: delta('c', 'a', 'received'),
      bToA: delta('b', 'a', 'forwarded'),
      bToC: delta('b', 'c', 'forwarded'),
      cToA: delta('c', 'a', 'forwarded'),
      cToB: delta('c', 'b', 'forwarded'),
      bFromC: delta('b', 'c', 'received'),
      cFromB: delta('c', 'b', 'received'),
    }).toEqual({
      aToB: 1,
      aToC: 1,
      bFromA: 1,
      cFromA: 1,
      bToA: 0,
      bToC: 0,
      cToA: 0,
      cToB: 0,
      bFromC: 0,
      cFromB: 0,
    });
  });

  it("carries a broadcast to the party's subnet broadcast 10.66.255.255 to b and c", async () => {
    const [lb, lc] = await Promise.all([listen('b', 27015), listen('c', 27015)]);
    const result = await send('a', '10.66.255.255', 27015, 'subnet hello');
    const [gotB, gotC] = await Promise.all([received(lb), received(lc)]);
    expect(gotB.map((d) => [host(d.from), d.text])).toEqual([[vip.get('a'), 'subnet hello']]);
    expect(gotC.map((d) => [host(d.from), d.text])).toEqual([[vip.get('a'), 'subnet hello']]);
    expect(result.replies.map((d) => host(d.from)).sort()).toEqual(
      [vip.get('b'), vip.get('c')].sort(),
    );
  });

  it("carries Minecraft's LAN announcement to 224.0.2.60:4445 to listeners that joined on their default interface", async () => {
    const [lb, lc] = await Promise.all([
      listen('b', 4445, '224.0.2.60', false),
      listen('c', 4445, '224.0.2.60', false),
    ]);
    await send('a', '224.0.2.60', 4445, formatAnnouncement('a - LAN night', 25565), 1, 0);
    const [gotB, gotC] = await Promise.all([received(lb), received(lc)]);
    for (const got of [gotB, gotC]) {
      expect(got.map((d) => [host(d.from), parseAnnouncement(d.text)])).toEqual([
        [vip.get('a'), { motd: 'a - LAN night', port: 25565 }],
      ]);
    }
  });

  it("finds a real Teeworlds server in a's namespace by the game's own LAN query from b", async () => {
    let server: LabProcess | null = null;
    try {
      server = startInNamespace(
        'teeworlds-a',
        ns('a'),
        ['/usr/games/teeworlds-server', '-f', '/dev/null', 'sv_name LANrage lab; sv_port 8303'],
        join(party.logDir, 'teeworlds-a.log'),
      );
      await server.waitForLine(/server name is/, 10_000);
      const { stdout } = await runIn(ns('b'), process.execPath, [probe, 'teeworlds', '2000']);
      const { servers } = JSON.parse(stdout) as {
        servers: { from: string; info: Record<string, unknown> }[];
      };
      expect(servers.map((s) => ({ ...s, info: { ...s.info, browserToken: 0 } }))).toEqual([
        {
          from: `${vip.get('a')}:8303`,
          info: {
            browserToken: 0,
            version: '0.7.5',
            name: 'LANrage lab',
            hostname: '',
            map: 'dm1',
            gametype: 'DM',
          },
        },
      ]);
    } finally {
      await server?.stop();
    }
  });

  it("cuts a broadcast storm from a to the rate limit without hurting the party's pings", async () => {
    const baseline = await ping(ns('b'), vip.get('c')!, 20, 0.05);
    const before = await counters();
    const listener = await listen('b', 27016, '', false, 6_000);
    const started = Date.now();
    const [storm, during] = await Promise.all([
      send('a', '255.255.255.255', 27016, 'storm', STORM_PACKETS, 0),
      ping(ns('b'), vip.get('c')!, 20, 0.05),
    ]);
    const stormSeconds = (Date.now() - started) / 1000;
    const got = await received(listener);
    const after = await counters();
    expect(storm.sent).toBe(STORM_PACKETS);
    // At most the burst plus the rate over the storm's duration (+1 s for the listener's window).
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThanOrEqual(BURST + RATE_PER_SECOND * (stormSeconds + 1));
    const limited =
      discoveryOf(after.get('a')!, 'b').droppedByLimit -
      discoveryOf(before.get('a')!, 'b').droppedByLimit;
    expect(limited).toBeGreaterThanOrEqual(
      STORM_PACKETS - BURST - RATE_PER_SECOND * (stormSeconds + 1),
    );
    expect(during.rttsMs.length, 'no ping lost during the storm').toBe(20);
    expect(percentile(during.rttsMs, 50)).toBeLessThanOrEqual(
      Math.max(2 * percentile(baseline.rttsMs, 50), percentile(baseline.rttsMs, 50) + 2),
    );
  });
});
