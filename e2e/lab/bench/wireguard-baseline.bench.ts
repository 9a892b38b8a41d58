/**
 * Baselines LANrage will be compared to, between two open players in the NAT lab:
 *   - RTT: underlay (plain IP between the players) vs raw wireguard-go tunnel, p50/p99 over
 *     200 pings at 10 ms intervals;
 *   - throughput: iperf3 TCP over the underlay vs over the raw wireguard-go tunnel.
 * Run as root: `npx tsx e2e/lab/bench/wireguard-baseline.bench.ts` (about 30 s).
 */
import { generateKeyPair } from '../../../src-common/crypto/x25519.js';
import { ping, percentile } from '../ping.js';
import { startRawWireGuard, type RawWireGuard } from '../raw-wireguard.js';
import { Lab } from '../topology.js';
import { throughputMbps } from './bench-probes.js';

const PINGS = 200;
const PING_INTERVAL_S = 0.01;
const IPERF_SECONDS = 5;

async function rtt(
  ns: string,
  target: string,
): Promise<{ p50: number; p99: number; lost: number }> {
  const { rttsMs, sent } = await ping(ns, target, PINGS, PING_INTERVAL_S);
  return { p50: percentile(rttsMs, 50), p99: percentile(rttsMs, 99), lost: sent - rttsMs.length };
}

const fmt = (n: number) => n.toFixed(3);

async function main(): Promise<void> {
  const lab = await Lab.start({
    players: [
      { name: 'a', nat: 'open' },
      { name: 'b', nat: 'open' },
    ],
    stun: false,
  });
  const tunnels: RawWireGuard[] = [];
  try {
    const a = lab.player('a');
    const b = lab.player('b');
    const ka = generateKeyPair();
    const kb = generateKeyPair();
    tunnels.push(
      await startRawWireGuard({
        ns: a.ns,
        ifname: a.wgName,
        privateKey: ka.privateKey,
        address: '10.77.0.1/24',
        listenPort: 51820,
      }),
    );
    tunnels.push(
      await startRawWireGuard({
        ns: b.ns,
        ifname: b.wgName,
        privateKey: kb.privateKey,
        address: '10.77.0.2/24',
        listenPort: 51820,
      }),
    );
    await tunnels[1]!.addPeer(ka.publicKey, '10.77.0.1', `${a.ip}:51820`);
    await tunnels[0]!.addPeer(kb.publicKey, '10.77.0.2', `${b.ip}:51820`);
    await ping(a.ns, '10.77.0.2', 3, 0.2); // handshake before measuring

    const under = await rtt(a.ns, b.ip);
    const tunnel = await rtt(a.ns, '10.77.0.2');
    const underMbps = await throughputMbps(b.ns, a.ns, b.ip, IPERF_SECONDS);
    const tunnelMbps = await throughputMbps(b.ns, a.ns, '10.77.0.2', IPERF_SECONDS);

    console.log('wireguard-baseline (two open players in the NAT lab, no added delay)');
    console.log(
      `rtt p50 ms: raw wireguard-go ${fmt(tunnel.p50)} vs underlay ${fmt(under.p50)} (ratio ${(tunnel.p50 / under.p50).toFixed(2)})`,
    );
    console.log(
      `rtt p99 ms: raw wireguard-go ${fmt(tunnel.p99)} vs underlay ${fmt(under.p99)} (ratio ${(tunnel.p99 / under.p99).toFixed(2)})`,
    );
    console.log(
      `ping loss: raw wireguard-go ${tunnel.lost}/${PINGS}, underlay ${under.lost}/${PINGS}`,
    );
    console.log(
      `iperf3 TCP Mbit/s: raw wireguard-go ${tunnelMbps.toFixed(0)} vs underlay ${underMbps.toFixed(0)} (ratio ${(tunnelMbps / underMbps).toFixed(2)})`,
    );
  } finally {
    await Promise.all(tunnels.map((t) => t.stop()));
    await lab.stop();
  }
}

await main();
