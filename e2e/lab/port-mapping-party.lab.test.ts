import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './exec.js';
import { MINIUPNPD_TABLE } from './miniupnpd.js';
import { ping } from './ping.js';
import { brief, PartyLab, type StatusJson } from './party-lab.js';
import type { PlayerSpec } from './topology.js';

/**
 * Issue 10's proof for port mapping: a player behind a symmetric NAT whose router runs miniupnpd
 * (NAT-PMP, PCP, UPnP) goes direct to everyone — a port-restricted peer and a symmetric peer,
 * pairs the NAT table alone leaves on the relay — through the port its router mapped. The pair
 * without a mapping (port-restricted ↔ symmetric) stays relayed and says what was tried.
 * Expected outcomes are typed out from README's NAT table and this issue.
 */
const PLAYERS: PlayerSpec[] = [
  { name: 'mapp', nat: 'symmetric', portMapping: true },
  { name: 'prc', nat: 'port_restricted' },
  { name: 'sym', nat: 'symmetric' },
];

/** Every pair once: the strategy, and the words its status reason must hold (both sides). */
const EXPECTED: [string, string, 'direct' | 'relay', string][] = [
  ['mapp', 'prc', 'direct', 'direct via PCP mapping'],
  ['mapp', 'sym', 'direct', 'direct via PCP mapping'],
  ['prc', 'sym', 'relay', 'no direct path can be opened'],
];

/**
 * Port probing would take the port-restricted ↔ symmetric pair direct too (port-probing.lab
 * proves that); it is off here so that only a mapping can make a symmetric player direct.
 */
const ONLY_MAPPING = { portProbing: false };

/** Router index 0 holds the mapping address (topology.ts, miniupnpd.ts). */
const MAPPED_WAN_IP = '100.128.0.1';
/**
 * The mapping is made at start-up, before the party is joined, and is then one punch away:
 * 20 s leaves room for a NAT verdict that comes late on a loaded machine.
 */
const DIRECT_WITHIN_MS = 20_000;
const POLL_MS = 300;

let party: PartyLab;
const outcome = new Map<
  string,
  { strategy: string; reasons: string[]; reachedAfterMs: number | null }
>();
const pairKey = (a: string, b: string) => `${a}↔${b}`;
const peerOf = (s: StatusJson | undefined, name: string) =>
  s?.peers.find((x) => x.name === name) ?? null;

async function statuses(): Promise<Map<string, StatusJson>> {
  const all = new Map<string, StatusJson>();
  await Promise.all(
    PLAYERS.map(async (p) => {
      const s = await party.status(p.name).catch(() => null);
      if (s) all.set(p.name, s);
    }),
  );
  return all;
}

beforeAll(async () => {
  party = await PartyLab.start({ players: PLAYERS, relays: [{ name: 'near', delayMs: 2 }] });
  const invite = (await party.up(
    PLAYERS[0]!.name,
    { create: 'port mapping' },
    null,
    ONLY_MAPPING,
  ))!;
  await Promise.all(
    PLAYERS.slice(1).map((p) => party.up(p.name, { join: invite }, null, ONLY_MAPPING)),
  );
  const joinedAt = Date.now();
  const deadline = joinedAt + DIRECT_WITHIN_MS;
  const pending = new Set(EXPECTED.map(([a, b]) => pairKey(a, b)));
  while (pending.size > 0 && Date.now() < deadline) {
    const all = await statuses();
    for (const [a, b, want, words] of EXPECTED) {
      const ab = peerOf(all.get(a), b);
      const ba = peerOf(all.get(b), a);
      if (!ab || !ba || !pending.has(pairKey(a, b))) continue;
      const strategy = ab.strategy === ba.strategy ? ab.strategy : `${ab.strategy}/${ba.strategy}`;
      const live = ab.latencyMs !== null && ba.latencyMs !== null;
      const reached =
        live && strategy === want && ab.reason.includes(words) && ba.reason.includes(words);
      outcome.set(pairKey(a, b), {
        strategy,
        reasons: [ab.reason, ba.reason],
        reachedAfterMs: reached ? Date.now() - joinedAt : null,
      });
      if (reached) pending.delete(pairKey(a, b));
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  process.stdout.write(`${writeMatrix()}\n`);
}, 120_000);

/** The run's results matrix, into its log folder (README copies it). */
function writeMatrix(): string {
  const label = (n: string) => {
    const p = PLAYERS.find((x) => x.name === n)!;
    return `${n} (${p.nat}${p.portMapping ? ', miniupnpd' : ''})`;
  };
  const rows = EXPECTED.map(([a, b, want]) => {
    const got = outcome.get(pairKey(a, b));
    const at = got?.reachedAfterMs == null ? '–' : `${(got.reachedAfterMs / 1000).toFixed(1)} s`;
    return `| ${label(a)} | ${label(b)} | ${want} | ${got?.strategy ?? 'none'} | ${at} | ${got?.reasons[0] ?? ''} |`;
  });
  const text = [
    '# Port mapping: results',
    '',
    '| player | peer | expected | outcome | reached after joining (poll 0.3 s) | how (status reason) |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  mkdirSync(party.logDir, { recursive: true });
  writeFileSync(join(party.logDir, 'port-mapping-matrix.md'), text);
  return text;
}

afterAll(async () => {
  await party?.stop();
}, 60_000);

describe('a player whose router maps ports (miniupnpd), behind a symmetric NAT', () => {
  it('reaches the expected strategy, opened the expected way, on every pair', () => {
    const got = EXPECTED.map(([a, b]) => ({
      pair: pairKey(a, b),
      strategy: outcome.get(pairKey(a, b))?.strategy,
      reasons: outcome.get(pairKey(a, b))?.reasons,
    }));
    for (const [i, [a, b, want, words]] of EXPECTED.entries()) {
      expect(got[i], `${a}↔${b}`).toMatchObject({ strategy: want });
      for (const reason of got[i]!.reasons ?? ['none']) expect(reason).toContain(words);
    }
  });

  it('announces the mapped endpoint and reports the mapping as what opened the path', async () => {
    const all = await statuses();
    const mapp = all.get('mapp')!;
    expect(mapp.self.portMapping).toMatchObject({ protocol: 'pcp' });
    expect(mapp.self.portMapping?.endpoint).toMatch(new RegExp(`^${MAPPED_WAN_IP}:\\d+$`));
    const fromMapp = peerOf(mapp, 'prc')!;
    expect(fromMapp.coordination.openedBy).toBe('port-mapping');
    expect(fromMapp.coordination.portMapping?.used).toEqual({ whose: 'self', protocol: 'pcp' });
    const fromPrc = peerOf(all.get('prc'), 'mapp')!;
    expect(fromPrc.coordination.openedBy).toBe('port-mapping');
    expect(fromPrc.coordination.portMapping?.used).toEqual({ whose: 'peer', protocol: 'pcp' });
    // The peer sends to the mapped endpoint: the path it uses is that endpoint.
    expect(fromPrc.endpoint).toBe(mapp.self.portMapping?.endpoint);
  });

  it('tells the relayed pair that neither router offered a mapping', async () => {
    const all = await statuses();
    const relayed = peerOf(all.get('prc'), 'sym')!;
    expect(relayed.strategy, brief(relayed)).toBe('relay');
    const mapping = relayed.coordination.portMapping!;
    expect(mapping.self.protocol).toBeNull();
    expect(mapping.self.tried.map((t) => t.protocol)).toEqual(['pcp', 'nat-pmp', 'upnp']);
    expect(mapping.self.tried.every((t) => t.error !== null)).toBe(true);
    expect(mapping.peer).toBeNull();
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
    // Seconds later, past every punch window: the mapped pairs are still direct.
    const all = await statuses();
    expect(EXPECTED.map(([a, b]) => peerOf(all.get(a), b)?.strategy)).toEqual([
      'direct',
      'direct',
      'relay',
    ]);
  }, 60_000);

  it('deletes the mapping on the router when the player quits', async () => {
    const port = (await party.status('mapp')).self.portMapping!.endpoint.split(':')[1]!;
    const rules = async () =>
      (
        await run('ip', [
          'netns',
          'exec',
          party.player('mapp').routerNs,
          'nft',
          'list',
          'table',
          'inet',
          MINIUPNPD_TABLE,
        ])
      ).stdout;
    expect(await rules()).toContain(`dport ${port}`);
    await party.stopPlayer('mapp');
    expect(await rules()).not.toContain(`dport ${port}`);
  }, 30_000);
});
