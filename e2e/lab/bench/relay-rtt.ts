import type { PartyLab } from '../party-lab.js';
import { pingStats, type RttStats } from './bench-probes.js';
import { peerOf } from './tunnel-join.js';

/**
 * A relayed pair's tunnel RTT against what the relay itself costs: the underlay round trips from
 * each player to the relay (through their NATs, plain ICMP). Through the relay a packet travels
 * a → relay → b and back, so the floor is RTT(a, relay) + RTT(b, relay); what the tunnel adds on
 * top is compared with what it adds on a direct path (tunnel-path.ts).
 */
const PINGS = 200;
const INTERVAL_S = 0.01;

export interface RelayRttFigure {
  pair: string;
  relay: string;
  tunnel: RttStats;
  /** Plain ICMP from each end to the relay's address. */
  underlayA: RttStats;
  underlayB: RttStats;
}

export async function measureRelayRtt(
  party: PartyLab,
  a: string,
  b: string,
): Promise<RelayRttFigure> {
  const peer = peerOf(await party.status(a), b);
  if (peer.strategy !== 'relay' || !peer.relay) throw new Error(`${a} → ${b} is not relayed`);
  const relayIp = party.lab.relay(peer.relay.id).ip;
  const tunnel = await pingStats(party.player(a).ns, peer.virtualIp, PINGS, INTERVAL_S);
  const underlayA = await pingStats(party.player(a).ns, relayIp, PINGS, INTERVAL_S);
  const underlayB = await pingStats(party.player(b).ns, relayIp, PINGS, INTERVAL_S);
  for (const [what, s] of Object.entries({ tunnel, underlayA, underlayB })) {
    if (s.sent === s.lost) throw new Error(`relay RTT ${what}: no replies at all`);
  }
  return { pair: `${a} → ${b}`, relay: peer.relay.id, tunnel, underlayA, underlayB };
}
