import type { PartyLab } from '../party-lab.js';
import {
  pingStats,
  startUdpEcho,
  throughputMbps,
  udpEchoStats,
  type RttStats,
} from './bench-probes.js';
import { dropsDuring } from './drop-counters.js';
import { cpuDuring, lanragePids, rssMb } from './process-cost.js';
import { startRawPair } from './raw-pair.js';
import { peerOf } from './tunnel-join.js';

/**
 * Figures 2 and 3, between two open players (the only pair with an underlay path and no NAT):
 * ICMP and game-like UDP RTT and iperf3 TCP throughput, all a → b, over three routes: the
 * underlay, LANrage's tunnel and a plain wireguard-go tunnel. The aims compare LANrage's RTT with
 * the underlay and its throughput with plain wireguard-go; the third route tells how much of a
 * difference is WireGuard itself and how much LANrage's own packet path.
 */
const PINGS = 200;
const PING_INTERVAL_S = 0.01;
const UDP_LOAD = { pps: 1000, count: 3000, bytes: 64 };
/** The fast-game figure: 10,000 datagrams a second for 2 s; its CPU cost is measured too. */
const UDP_FAST_LOAD = { pps: 10_000, count: 20_000, bytes: 64 };
const UDP_PORT = 9999;
const IPERF_SECONDS = 3;
// Index of the raw tunnel (raw-pair.ts): 0 and 1 are taken by the join baselines.
const RAW_INDEX = 2;
// The pair may still be finishing its punch when everyone is up; direct is what is measured.
const DIRECT_TIMEOUT_MS = 20_000;

type Route = 'underlay' | 'lanrage' | 'raw';

/** What the tunnel processes of both ends cost: the helper + core of each player, or both raw wireguard-go. */
export interface TunnelCost {
  /** CPU of every tunnel process on both ends per datagram crossing the tunnel (each echo is two). */
  cpuUsPerPacket: number;
  /** Resident memory of one end's tunnel processes after the loads, MB. */
  rssMb: number;
  /** LANrage only: the helper's and the core's share of rssMb. */
  rssSplit?: { helper: number; core: number };
}

export interface PathFigures {
  ping: Record<Route, RttStats>;
  udp: Record<Route, RttStats>;
  udpFast: Record<Route, RttStats>;
  mbps: Record<Route, number>;
  cost: Record<'lanrage' | 'raw', TunnelCost>;
  /** Where the 10,000/s load's datagrams were dropped, by the kernel's counters of each end. */
  fastDrops: Record<Route, Record<'sender' | 'receiver', string>>;
}

interface RouteFigures {
  ping: RttStats;
  udp: RttStats;
  udpFast: RttStats;
  mbps: number;
  /** CPU of the given tunnel processes during the 10,000/s load, ms. */
  fastCpuMs: number;
  fastDrops: Record<'sender' | 'receiver', string>;
}

/** The same measurements, a → b, to one address of b (underlay, LANrage or raw tunnel). */
async function measureTo(
  fromNs: string,
  toNs: string,
  target: string,
  tunnelPids: readonly number[],
): Promise<RouteFigures> {
  const ping = await pingStats(fromNs, target, PINGS, PING_INTERVAL_S);
  const udp = await udpEchoStats(fromNs, target, UDP_PORT, UDP_LOAD);
  const fast = await cpuDuring(tunnelPids, () =>
    dropsDuring({ sender: fromNs, receiver: toNs }, () =>
      udpEchoStats(fromNs, target, UDP_PORT, UDP_FAST_LOAD),
    ),
  );
  const udpFast = fast.result.result;
  for (const [what, s] of Object.entries({ ping, udp, udpFast })) {
    if (s.sent === s.lost) throw new Error(`${what} to ${target}: no replies at all`);
  }
  return {
    ping,
    udp,
    udpFast,
    fastCpuMs: fast.cpuMs,
    fastDrops: fast.result.drops as Record<'sender' | 'receiver', string>,
    mbps: await throughputMbps(toNs, fromNs, target, IPERF_SECONDS),
  };
}

function perPacketUs(cpuMsSpent: number, s: RttStats): number {
  // Every echo crosses the tunnel twice; a lost one at least once.
  const packets = 2 * (s.sent - s.lost) + s.lost;
  return (cpuMsSpent * 1000) / packets;
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
  // One echo server on all of b's addresses serves every route.
  const stopEcho = await startUdpEcho(to.ns, UDP_PORT);
  try {
    const [pa, pb] = await Promise.all([lanragePids(from.ns), lanragePids(to.ns)]);
    const underlay = await measureTo(from.ns, to.ns, to.ip, []);
    const lanrage = await measureTo(from.ns, to.ns, tunnelIp, [
      pa.helper,
      pa.core,
      pb.helper,
      pb.core,
    ]);
    const [helperRss, coreRss] = await Promise.all([rssMb(pa.helper), rssMb(pa.core)]);
    const pair = await startRawPair(party.lab.layout.id, RAW_INDEX, from, to);
    let raw: RouteFigures;
    let rawRss: number;
    try {
      await pingStats(from.ns, pair.toAddr, 3, 0.2); // handshake first, as LANrage's is done
      raw = await measureTo(from.ns, to.ns, pair.toAddr, pair.pids);
      rawRss = await rssMb(pair.pids[1]!);
    } finally {
      await pair.stop();
    }
    const all = { underlay, lanrage, raw };
    const pick = <K extends keyof RouteFigures>(k: K): Record<Route, RouteFigures[K]> => ({
      underlay: all.underlay[k],
      lanrage: all.lanrage[k],
      raw: all.raw[k],
    });
    return {
      ping: pick('ping'),
      udp: pick('udp'),
      udpFast: pick('udpFast'),
      mbps: pick('mbps'),
      fastDrops: pick('fastDrops'),
      cost: {
        lanrage: {
          cpuUsPerPacket: perPacketUs(lanrage.fastCpuMs, lanrage.udpFast),
          rssMb: helperRss + coreRss,
          rssSplit: { helper: helperRss, core: coreRss },
        },
        raw: { cpuUsPerPacket: perPacketUs(raw.fastCpuMs, raw.udpFast), rssMb: rawRss },
      },
    };
  } finally {
    await stopEcho();
  }
}
