/**
 * LANrage's tunnel against its baselines, in one NAT-lab run (issue #3 §6):
 *   1. `lanrage up --join` → first ping over the tunnel, for a direct pair (open ← port-restricted)
 *      and a relayed pair (symmetric ← symmetric), vs raw wireguard-go (tunnel-join.ts);
 *   2. ICMP and 1000/s and 10,000/s 64-byte UDP RTT over LANrage vs raw wireguard-go and the
 *      underlay between two open players, with the CPU and memory of the tunnel processes;
 *   3. iperf3 TCP through LANrage vs raw wireguard-go between the same two open players
 *      (tunnel-path.ts);
 *   3b. a relayed pair's RTT vs the direct tunnel's plus the relay's underlay (relay-rtt.ts);
 *   4. the outage when the relay a relayed pair uses dies, vs the dead-path detection time
 *      (relay-recovery.ts).
 * Figures are printed, never asserted; the bench fails only when something does not work at all.
 * Run as root: `npx tsx e2e/lab/bench/lanrage-tunnel.bench.ts` (about 1.5 minutes).
 */
import { ConfigSchema } from '../../../src-main/core/config/config-schema.js';
import { PartyLab, type StatusJson } from '../party-lab.js';
import { measureRelayRecovery } from './relay-recovery.js';
import { measureRelayRtt } from './relay-rtt.js';
import { lanrageFirstReply, rawFirstReply } from './tunnel-join.js';
import { measurePath } from './tunnel-path.js';
import { printReport } from './tunnel-report.js';

const OPEN_A = 'open1';
const OPEN_B = 'open2';
const CONE = 'prc';
const SYM_A = 'sym1';
const SYM_B = 'sym2';
const ALL = [OPEN_A, OPEN_B, CONE, SYM_A, SYM_B];
// Relay bind, punch window and first probes; as in party.lab.test.ts.
const SETTLE_MS = 25_000;

function connectedTo(names: string[]) {
  return (s: StatusJson): boolean =>
    names
      .filter((n) => n !== s.self.name)
      .every((n) => {
        const p = s.peers.find((x) => x.name === n);
        return p !== undefined && p.state !== 'connecting' && p.latencyMs !== null;
      });
}

async function settle(party: PartyLab, names: string[]): Promise<void> {
  await Promise.all(
    names.map((n) => party.waitForStatus(n, connectedTo(names), SETTLE_MS, 'all peers connected')),
  );
}

async function main(): Promise<void> {
  const started = Date.now();
  const party = await PartyLab.start({
    players: [
      { name: OPEN_A, nat: 'open' },
      { name: OPEN_B, nat: 'open' },
      { name: CONE, nat: 'port_restricted' },
      { name: SYM_A, nat: 'symmetric' },
      { name: SYM_B, nat: 'symmetric' },
    ],
    // Two relays, so the pair whose relay is killed has somewhere to go.
    relays: [
      { name: 'near', delayMs: 2 },
      { name: 'far', delayMs: 15 },
    ],
  });
  // Ctrl-C still takes the namespaces and processes down.
  const onSignal = (): void => void party.stop().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  try {
    // Raw baselines first, while no LANrage process shares the namespaces' CPU.
    const rawDirect = await rawFirstReply(party, 0, CONE, OPEN_A);
    const rawRelayed = await rawFirstReply(party, 1, SYM_B, OPEN_A);

    const invite = await party.up(OPEN_A, { create: 'bench party' });
    if (invite === null) throw new Error(`${OPEN_A} printed no invite code`);
    await Promise.all([OPEN_B, SYM_A].map((n) => party.up(n, { join: invite })));
    await settle(party, [OPEN_A, OPEN_B, SYM_A]);

    const direct = await lanrageFirstReply(party, invite, CONE, OPEN_A);
    const joinDirect = { pair: `${CONE} → ${OPEN_A}`, ...rawDirect, ...direct };
    await settle(party, [OPEN_A, OPEN_B, SYM_A, CONE]);
    const relayed = await lanrageFirstReply(party, invite, SYM_B, SYM_A);
    const joinRelayed = { pair: `${SYM_B} → ${SYM_A}`, ...rawRelayed, ...relayed };
    await settle(party, ALL);

    const path = { pair: `${OPEN_A} → ${OPEN_B}`, ...(await measurePath(party, OPEN_A, OPEN_B)) };
    const relayRtt = await measureRelayRtt(party, SYM_A, SYM_B);
    const defaults = ConfigSchema.parse({});
    const recovery = {
      pair: `${SYM_A} → ${SYM_B}`,
      deadPathAfterMs: defaults.deadPathAfterMs,
      probeIntervalMs: defaults.probeIntervalMs,
      ...(await measureRelayRecovery(party, SYM_A, SYM_B)),
    };
    printReport({ joinDirect, joinRelayed, path, relayRtt, recovery });
    console.log(
      `(bench took ${((Date.now() - started) / 1000).toFixed(0)} s; logs: ${party.logDir})`,
    );
  } finally {
    process.off('SIGINT', onSignal);
    await party.stop();
  }
}

await main();
