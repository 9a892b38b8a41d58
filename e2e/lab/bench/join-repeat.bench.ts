/**
 * `lanrage up --join` → first ping over the tunnel, many times in one NAT lab (issue #7): the
 * tunnel bench (lanrage-tunnel.bench.ts) measures one join of each kind per run, and on a shared
 * 2-core machine one join is mostly noise. Same lab as that bench (two open players, a
 * port-restricted one, two symmetric ones, a 2 ms and a 15 ms relay); each round the
 * port-restricted player joins the open one's party (a direct pair) and a symmetric one joins
 * (a relayed pair), each as a new member, then quits. Prints every join, the medians, and where
 * each join's time went (the joiner's log, join-timeline.ts). Figures are printed, never asserted.
 * Run as root: `npx tsx e2e/lab/bench/join-repeat.bench.ts` (JOINS=N rounds, default 8).
 */
import { execFileSync } from 'node:child_process';
import { PartyLab, type StatusJson } from '../party-lab.js';
import type { JoinTimeline } from './join-timeline.js';
import { lanrageFirstReply } from './tunnel-join.js';

const ROUNDS = Number(process.env.JOINS ?? 8);
// Relay bind, punch window and first probes; as in lanrage-tunnel.bench.ts.
const SETTLE_MS = 25_000;
/** Lets the party hear the quitting member leave before the next one joins. */
const BETWEEN_JOINS_MS = 1_000;

interface Join {
  ms: number;
  strategy: string;
  timeline: JoinTimeline;
}

function connectedTo(names: string[]) {
  return (s: StatusJson): boolean =>
    names
      .filter((n) => n !== s.self.name)
      .every((n) => {
        const p = s.peers.find((x) => x.name === n);
        return p !== undefined && p.state !== 'connecting' && p.latencyMs !== null;
      });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const load = (): string => execFileSync('uptime', { encoding: 'utf8' }).trim();

function report(label: string, joins: Join[]): void {
  const all = joins.map((j) => Math.round(j.ms));
  console.log(`${label}: median ${Math.round(median(all))} ms; all ${all.join(' / ')} ms`);
  console.log(`  strategies: ${joins.map((j) => j.strategy).join(' ')}`);
  const keys: (keyof JoinTimeline)[] = ['firstLogMs', 'interfaceUpMs', 'pathMs'];
  for (const key of keys) {
    const xs = joins.map((j) => j.timeline[key]).filter((x): x is number => x !== null);
    console.log(`  ${key}: median ${median(xs)} ms; all ${xs.join(' / ')}`);
  }
}

async function join(party: PartyLab, invite: string, joiner: string, target: string) {
  const figure = await lanrageFirstReply(party, invite, joiner, target);
  await party.stopPlayer(joiner);
  party.forgetIdentity(joiner);
  await new Promise((r) => setTimeout(r, BETWEEN_JOINS_MS));
  return { ms: figure.lanrageMs, strategy: figure.strategy, timeline: figure.timeline };
}

async function main(): Promise<void> {
  console.log(`start: ${load()}`);
  const party = await PartyLab.start({
    players: [
      { name: 'open1', nat: 'open' },
      { name: 'open2', nat: 'open' },
      { name: 'prc', nat: 'port_restricted' },
      { name: 'sym1', nat: 'symmetric' },
      { name: 'sym2', nat: 'symmetric' },
    ],
    relays: [
      { name: 'near', delayMs: 2 },
      { name: 'far', delayMs: 15 },
    ],
  });
  const onSignal = (): void => void party.stop().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  try {
    const invite = await party.up('open1', { create: 'join bench' });
    if (invite === null) throw new Error('open1 printed no invite code');
    await Promise.all(['open2', 'sym1'].map((n) => party.up(n, { join: invite })));
    const members = ['open1', 'open2', 'sym1'];
    await Promise.all(
      members.map((n) => party.waitForStatus(n, connectedTo(members), SETTLE_MS, 'connected')),
    );
    const direct: Join[] = [];
    const relayed: Join[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      direct.push(await join(party, invite, 'prc', 'open1'));
      relayed.push(await join(party, invite, 'sym2', 'sym1'));
    }
    console.log(`join-repeat bench: ${ROUNDS} rounds; logs: ${party.logDir}`);
    report('join → first ping, direct (prc → open1)', direct);
    report('join → first ping, relayed (sym2 → sym1)', relayed);
    console.log(`end: ${load()}`);
  } finally {
    process.off('SIGINT', onSignal);
    await party.stop();
  }
}

await main();
