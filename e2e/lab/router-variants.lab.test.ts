import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlayerSpec } from './topology.js';
import { ping } from './ping.js';
import { brief, PartyLab, type StatusJson } from './party-lab.js';

/**
 * Routers that do not drop unsolicited WAN input (they answer it themselves, as some ISP routers
 * and CGNAT boxes do), a double NAT, and a firewalled router beside them. Before the punch
 * schedule (src-main/core/paths/punch-schedule.ts) every port-restricted pair behind such routers
 * stayed relayed; with it, every cone ↔ cone pair must go direct here.
 *
 * The expected outcome of every pair is typed out below from README's NAT table, never computed
 * by the code under test. The run writes a results matrix (pair → outcome, time to direct) into
 * its log folder.
 */
const PLAYERS: PlayerSpec[] = [
  { name: 'ans1', nat: 'port_restricted', router: 'answers-wan' },
  { name: 'ans2', nat: 'port_restricted', router: 'answers-wan' },
  { name: 'dbl', nat: 'port_restricted', router: 'answers-wan', doubleNat: true },
  { name: 'fwl', nat: 'port_restricted', router: 'firewalled' },
  { name: 'fca', nat: 'full_cone', router: 'answers-wan' },
  { name: 'sym', nat: 'symmetric', router: 'answers-wan' },
];

/**
 * Every pair once, with the strategy its NAT types call for (README's table); symmetric ↔
 * port-restricted pairs, relayed by the table, go direct by port probing (issue 10 item 3).
 */
const EXPECTED: [string, string, 'direct' | 'relay'][] = [
  ['ans1', 'ans2', 'direct'],
  ['ans1', 'dbl', 'direct'],
  ['ans1', 'fwl', 'direct'],
  ['ans1', 'fca', 'direct'],
  ['ans1', 'sym', 'direct'],
  ['ans2', 'dbl', 'direct'],
  ['ans2', 'fwl', 'direct'],
  ['ans2', 'fca', 'direct'],
  ['ans2', 'sym', 'direct'],
  ['dbl', 'fwl', 'direct'],
  ['dbl', 'fca', 'direct'],
  ['dbl', 'sym', 'direct'],
  ['fwl', 'fca', 'direct'],
  ['fwl', 'sym', 'direct'],
  ['fca', 'sym', 'direct'],
];

/**
 * How long a pair may take to go direct: an attempt that meets a NAT deeper than the opener TTL
 * fails, and the next waits out conntrack's 30 s unreplied timeout (punch-schedule.ts). All four
 * plans (leader × opener TTL 2, 3) take 4 × 3.4 s + 3 × 33 s ≈ 113 s; one run with the helper
 * needed the fourth for the double NAT ↔ firewalled pair (direct 111 s after joining).
 */
const DIRECT_WITHIN_MS = 130_000;
const POLL_MS = 500;

let party: PartyLab;
let joinedAt = 0;
const outcome = new Map<string, { strategy: string; reason: string; endpoint: string | null }>();

const pairKey = (a: string, b: string) => `${a}↔${b}`;

function peerOf(s: StatusJson, name: string) {
  return s.peers.find((x) => x.name === name) ?? null;
}

/**
 * From the players' own logs: how long the punching took (first "hole punching" line for the
 * peer → "direct path proven"), in how many attempts, and the probes both sides spent on it.
 */
function punchFigures(
  a: string,
  b: string,
): { ms: number | null; attempts: number; probes: number } {
  const lines = (me: string, peer: string) => {
    const path = join(party.logDir, `player-${me}.log`);
    if (!existsSync(path)) return [];
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.includes(` peer=${peer} `));
  };
  const at = (line: string | undefined) => (line ? Date.parse(line.slice(0, 24)) : null);
  const mine = lines(a, b);
  const start = at(mine.find((l) => l.includes('hole punching') || l.includes('port probing')));
  const proven = at(mine.find((l) => l.includes('direct path proven')));
  const results = [...mine, ...lines(b, a)].filter(
    (l) =>
      l.includes('direct path proven') ||
      l.includes('direct attempt failed') ||
      l.includes('port probing failed'),
  );
  // Hole punching counts its pings; port probing its packets (openers, probes, answers).
  const probes = results.reduce(
    (sum, l) => sum + Number(/ (?:pings|packets)=(\d+)/.exec(l)?.[1] ?? 0),
    0,
  );
  const attempts = new Set(mine.flatMap((l) => /attempt=(\d+)/.exec(l)?.[1] ?? [])).size;
  return { ms: start !== null && proven !== null ? proven - start : null, attempts, probes };
}

function writeMatrix(): string {
  const names = PLAYERS.map((p) => p.name);
  const label = (n: string) => {
    const p = PLAYERS.find((x) => x.name === n)!;
    const extras = `${p.doubleNat ? ', double NAT' : ''}${p.ipv6 ? ', IPv6' : ''}`;
    return `${n} (${p.nat}${extras}, ${p.router ?? 'firewalled'})`;
  };
  const rows = EXPECTED.map(([a, b, want]) => {
    const got = outcome.get(pairKey(a, b));
    const f = punchFigures(a, b);
    const at = f.ms === null ? '–' : `${(f.ms / 1000).toFixed(2)} s`;
    const cost = f.attempts === 0 ? '–' : `${f.attempts} / ${f.probes}`;
    return `| ${label(a)} | ${label(b)} | ${want} | ${got?.strategy ?? 'none'} | ${at} | ${cost} | ${got?.reason ?? ''} |`;
  });
  const text = [
    `# Router variants: results (${names.length} players)`,
    '',
    '| player | peer | expected | outcome | time to direct (from first punch) | punch attempts / probes (both sides) | how (status reason) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  mkdirSync(party.logDir, { recursive: true });
  writeFileSync(join(party.logDir, 'router-variants-matrix.md'), text);
  return text;
}

beforeAll(async () => {
  party = await PartyLab.start({ players: PLAYERS, relays: [{ name: 'near', delayMs: 2 }] });
  const invite = (await party.up(PLAYERS[0]!.name, { create: 'router variants' }))!;
  await Promise.all(PLAYERS.slice(1).map((p) => party.up(p.name, { join: invite })));
  joinedAt = Date.now();
  // Watch every pair from its first member's side until it reaches its expected strategy.
  const deadline = joinedAt + DIRECT_WITHIN_MS;
  const pending = new Set(EXPECTED.map(([a, b]) => pairKey(a, b)));
  while (pending.size > 0 && Date.now() < deadline) {
    const statuses = new Map<string, StatusJson>();
    await Promise.all(
      PLAYERS.map(async (p) => {
        const s = await party.status(p.name).catch(() => null);
        if (s) statuses.set(p.name, s);
      }),
    );
    for (const [a, b, want] of EXPECTED) {
      const key = pairKey(a, b);
      if (!pending.has(key)) continue;
      const ab = statuses.get(a) ? peerOf(statuses.get(a)!, b) : null;
      const ba = statuses.get(b) ? peerOf(statuses.get(b)!, a) : null;
      if (!ab || !ba) continue;
      const live = ab.latencyMs !== null && ba.latencyMs !== null;
      const strategy = ab.strategy === ba.strategy ? ab.strategy : `${ab.strategy}/${ba.strategy}`;
      const reached = live && ab.strategy === want && ba.strategy === want;
      outcome.set(key, {
        strategy,
        reason: ab.reason,
        endpoint: ab.endpoint,
      });
      if (reached) pending.delete(key);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  process.stdout.write(`${writeMatrix()}\n`);
}, 210_000);

afterAll(async () => {
  await party?.stop();
}, 60_000);

describe('routers that answer WAN input, a double NAT and a firewalled router', () => {
  it('reaches the expected strategy on every pair', () => {
    const wrong = EXPECTED.filter(
      ([a, b, want]) => outcome.get(pairKey(a, b))?.strategy !== want,
    ).map(
      ([a, b, want]) =>
        `${pairKey(a, b)}: want ${want}, got ${outcome.get(pairKey(a, b))?.strategy}`,
    );
    expect(wrong).toEqual([]);
  });

  it('pings over the tunnel both ways on every pair', async () => {
    const ips = new Map<string, string>();
    for (const p of PLAYERS) ips.set(p.name, (await party.status(p.name)).self.virtualIp!);
    const silent: string[] = [];
    for (const [a, b] of EXPECTED) {
      const [ab, ba] = await Promise.all([
        ping(party.player(a).ns, ips.get(b)!, 3, 0.2),
        ping(party.player(b).ns, ips.get(a)!, 3, 0.2),
      ]);
      if (ab.rttsMs.length === 0) silent.push(`${a} → ${b}`);
      if (ba.rttsMs.length === 0) silent.push(`${b} → ${a}`);
    }
    expect(silent).toEqual([]);
  }, 120_000);

  it('detects the double NAT as a port-restricted cone', async () => {
    const s = await party.status('dbl');
    expect(s.self.natType, s.peers.map(brief).join(', ')).toBe('port_restricted_cone');
  });
});
