import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIperf3Client, startIperf3Server } from './iperf3.js';
import { ping, percentile } from './ping.js';
import { Lab } from './topology.js';

/**
 * The user-space delay link (delay-link.c) standing in for netem: two relays at different
 * distances behind it. Timing bands are correctness checks (is the delay applied, once, in each
 * direction?), not speed assertions; throughput floors are set far below what it reaches.
 */
let lab: Lab;

// 20 ms each way ⇒ 40 ms RTT plus the stack's own ~0.1 ms; the upper bound leaves room for a
// busy shared machine but would catch a delay applied twice (80 ms).
const RTT_BAND_MS = [38, 60] as const;

beforeAll(async () => {
  lab = await Lab.start({
    players: [{ name: 'home', nat: 'port_restricted' }],
    relays: [
      { name: 'near', delayMs: 20 },
      { name: 'far', delayMs: 45 },
    ],
    stun: false,
  });
});

afterAll(async () => {
  await lab?.stop();
});

describe('delay link', () => {
  it('gives a ~40 ms ping over a link of 20 ms each way', async () => {
    const { rttsMs } = await ping(lab.layout.internetNs, lab.relay('near').ip, 20, 0.05);
    expect(rttsMs.length).toBe(20);
    const median = percentile(rttsMs, 50);
    expect(median).toBeGreaterThanOrEqual(RTT_BAND_MS[0]);
    expect(median).toBeLessThanOrEqual(RTT_BAND_MS[1]);
  });

  it('makes the farther relay farther for a player behind NAT', async () => {
    const home = lab.player('home').ns;
    const near = percentile((await ping(home, lab.relay('near').ip, 10, 0.05)).rttsMs, 50);
    const far = percentile((await ping(home, lab.relay('far').ip, 10, 0.05)).rttsMs, 50);
    expect(far - near).toBeGreaterThan(40);
    expect(far - near).toBeLessThan(60);
  });

  it('forwards more than 10k packets per second without dropping any', async () => {
    const relay = lab.relay('near');
    const link = lab.relayLink('near');
    const server = await startIperf3Server(relay.ns, relay.ip);
    const before = await link.stats();
    // 64-byte payloads at 8 Mbit/s ≈ 15.6k packets/s for 2 s.
    const report = await runIperf3Client(lab.layout.internetNs, server, [
      '-u',
      '-l',
      '64',
      '-b',
      '8M',
      '-t',
      '2',
    ]);
    const sent = report.end.sum?.packets;
    if (sent === undefined) throw new Error('iperf3 UDP report has no end.sum.packets');
    const after = await link.stats();
    const forwarded = after.aToB.forwarded - before.aToB.forwarded;
    // The link's own counters: loss in iperf3's receiver socket on a busy machine is not the link's.
    console.log(`delay link UDP: iperf3 sent ${sent} packets in 2 s, link forwarded ${forwarded}`);
    expect(sent / 2).toBeGreaterThan(10_000);
    expect(forwarded).toBeGreaterThanOrEqual(sent);
    expect(after.aToB.dropped - before.aToB.dropped).toBe(0);
  });

  it('carries iperf3 TCP bulk traffic', async () => {
    const relay = lab.relay('near');
    const server = await startIperf3Server(relay.ns, relay.ip);
    const report = await runIperf3Client(lab.layout.internetNs, server, ['-t', '2']);
    const received = report.end.sum_received;
    if (!received) throw new Error('iperf3 TCP report has no end.sum_received');
    const mbps = received.bits_per_second / 1e6;
    console.log(`delay link TCP over 40 ms RTT: ${mbps.toFixed(0)} Mbit/s`);
    expect(mbps).toBeGreaterThan(20);
  });
});
