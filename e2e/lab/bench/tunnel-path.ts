import type { PartyLab } from '../party-lab.js';
import {
  pingStats,
  startUdpEcho,
  throughputMbps,
  udpEchoStats,
  type RttStats,
} from './bench-probes.js';
import { startRawPair } from './raw-pair.js';
import { peerOf } from './tunnel-join.js';

/**
 * Figures 2 and 3, between two open players (the only pair with an underlay path and no NAT):
 * ICMP and game-like UDP RTT over LANrage vs the underlay, and iperf3 TCP through LANrage vs
 * plain wireguard-go, all in the same direction (a → b).
 */
const PINGS = 200;
const PING_INTERVAL_S = 0.01;
const UDP_LOAD = { pps: 1000, count: 3000, bytes: 64 };
const UDP_PORT = 9999;
const IPERF_SECONDS = 3;
// Index of the raw tunnel (raw-pair.ts): 0 and 1 are taken by the join baselines.
const RAW_INDEX = 2;
// The pair may still be finishing its punch when everyone is up; direct is what is measured.
const DIRECT_TIMEOUT_MS = 20_000;

export interface PathFigures {
  ping: { underlay: RttStats; lanrage: RttStats; raw: RttStats };
  udp: { underlay: RttStats; lanrage: RttStats };
  mbps: { underlay: number; lanrage: number; raw: number };
}

export async function measurePath(party: PartyLab, a: string, b: string): Promise<PathFigures> {
  await party.waitForStatus(
    a,
    (s) => peerOf(s, b).path === 'direct' && peerOf(s, b).latencyMs !== null,
    DIRECT_TIMEOUT_MS,
    `${b} on a direct path`,
  );
  const from = party.player(a);
  const to = party.player(b);
  const tunnelIp = (await party.status(b)).self.virtualIp;
  if (tunnelIp === null) throw new Error(`${b} has no virtual IP`);

  const ping = {
    underlay: await pingStats(from.ns, to.ip, PINGS, PING_INTERVAL_S),
    lanrage: await pingStats(from.ns, tunnelIp, PINGS, PING_INTERVAL_S),
    raw: { p50: NaN, p99: NaN, lost: 0, sent: 0 },
  };
  const stopEcho = await startUdpEcho(to.ns, UDP_PORT);
  let udp: PathFigures['udp'];
  try {
    udp = {
      underlay: await udpEchoStats(from.ns, to.ip, UDP_PORT, UDP_LOAD),
      lanrage: await udpEchoStats(from.ns, tunnelIp, UDP_PORT, UDP_LOAD),
    };
  } finally {
    await stopEcho();
  }
  const mbps = {
    underlay: await throughputMbps(to.ns, from.ns, to.ip, IPERF_SECONDS),
    lanrage: await throughputMbps(to.ns, from.ns, tunnelIp, IPERF_SECONDS),
    raw: NaN,
  };
  const raw = await startRawPair(party.lab.layout.id, RAW_INDEX, from, to);
  try {
    await pingStats(from.ns, raw.toAddr, 3, 0.2); // handshake first, as LANrage's is done
    ping.raw = await pingStats(from.ns, raw.toAddr, PINGS, PING_INTERVAL_S);
    mbps.raw = await throughputMbps(to.ns, from.ns, raw.toAddr, IPERF_SECONDS);
  } finally {
    await raw.stop();
  }
  for (const [what, s] of Object.entries({ ...ping, ...prefixed('udp ', udp) })) {
    if (s.sent - s.lost === 0) throw new Error(`${what}: no replies at all from ${b}`);
  }
  return { ping, udp, mbps };
}

function prefixed<T>(prefix: string, record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [`${prefix}${k}`, v]));
}
