import { afterEach, describe, expect, it } from 'vitest';
import type { PeerStatus } from '../../../src-shared/domain/core-status.js';
import type { MemoryNatKind } from '../testing/memory-nat.js';
import { memoryPair, onClock, type MemoryPeer } from '../testing/memory-peer.js';
import { memoryWorld, type MemoryWorld } from '../testing/memory-world.js';

/**
 * IPv6 on the in-memory internet, with the real connection layer on both sides: players with a
 * global IPv6 address behind a stateful firewall (no NAT for IPv6) and an IPv4 NAT of some kind.
 * Both sides ping each other's IPv6 address at once, each one's own packet opens its firewall,
 * and a working IPv6 path beats the relay and IPv4 alike. Expected outcomes are written out.
 */
const SETTLE_MS = 10_000;
const A_IPV6 = '2001:db8:1::2';
const B_IPV6 = '2001:db8:2::2';

let world: MemoryWorld;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await onClock(world.clock, c());
  await world?.close();
});

async function pairOf(
  a: { nat: MemoryNatKind; ipv6: string | null },
  b: { nat: MemoryNatKind; ipv6: string | null },
): Promise<[MemoryPeer, MemoryPeer]> {
  world = await memoryWorld();
  const [ha] = world.internet.player(a.nat, '192.0.2.1');
  const [hb] = world.internet.player(b.nat, '192.0.2.2');
  if (a.ipv6) world.internet.giveIpv6(ha!, a.ipv6);
  if (b.ipv6) world.internet.giveIpv6(hb!, b.ipv6);
  const peers = await memoryPair(world, ha!, hb!);
  closers.push(...peers.map((p) => () => p.close()));
  return peers;
}

const statusOf = (p: MemoryPeer): PeerStatus => {
  const s = p.manager.statuses()[0];
  if (!s) throw new Error(`${p.name} has no peer`);
  return s;
};

async function tunnelBothWays(a: MemoryPeer, b: MemoryPeer): Promise<void> {
  for (const [self, other] of [
    [a, b],
    [b, a],
  ] as const) {
    const rtt = await onClock(world.clock, self.dataPlane.tunnelLatency(other.member.virtualIp));
    expect(rtt, `${self.name} → ${other.name} through the tunnel`).not.toBeNull();
  }
}

describe('IPv6 in memory', () => {
  it('joins two symmetric-NAT players directly over IPv6 through their firewalls', async () => {
    const [a, b] = await pairOf(
      { nat: 'symmetric', ipv6: A_IPV6 },
      { nat: 'symmetric', ipv6: B_IPV6 },
    );
    await world.clock.advance(SETTLE_MS);
    const sa = statusOf(a);
    const sb = statusOf(b);
    expect({ strategy: sa.strategy, path: sa.path, endpoint: sa.endpoint }).toEqual({
      strategy: 'direct',
      path: 'direct',
      endpoint: `[${B_IPV6}]:${b.member.localCandidates[0]!.split(']:')[1]}`,
    });
    expect({ strategy: sb.strategy, path: sb.path, endpoint: sb.endpoint }).toEqual({
      strategy: 'direct',
      path: 'direct',
      endpoint: `[${A_IPV6}]:${a.member.localCandidates[0]!.split(']:')[1]}`,
    });
    expect(sa.reason).toMatch(/^direct over IPv6 \(no NAT on the way\) after both sides/);
    expect(sa.coordination.punch?.family).toBe('ipv6');
    expect(sa.coordination.openedBy).toBe('hole-punch');
    await tunnelBothWays(a, b);
  });

  it('prefers IPv6 over a working IPv4 direct path (full cones on both sides)', async () => {
    const [a, b] = await pairOf(
      { nat: 'full_cone', ipv6: A_IPV6 },
      { nat: 'full_cone', ipv6: B_IPV6 },
    );
    await world.clock.advance(SETTLE_MS);
    expect(statusOf(a).endpoint).toMatch(/^\[2001:db8:2::2\]:\d+$/);
    expect(statusOf(b).endpoint).toMatch(/^\[2001:db8:1::2\]:\d+$/);
    await tunnelBothWays(a, b);
  });

  it('keeps IPv4 when only one side has IPv6: a symmetric pair stays relayed', async () => {
    const [a, b] = await pairOf(
      { nat: 'symmetric', ipv6: A_IPV6 },
      { nat: 'symmetric', ipv6: null },
    );
    await world.clock.advance(SETTLE_MS);
    for (const p of [a, b]) {
      const s = statusOf(p);
      expect({ strategy: s.strategy, path: s.path, relay: s.relay?.id }, p.name).toEqual({
        strategy: 'relay',
        path: 'relay',
        relay: 'near',
      });
    }
    await tunnelBothWays(a, b);
  });

  it('keeps IPv4 direct when only one side has IPv6 and the NATs allow it', async () => {
    const [a, b] = await pairOf(
      { nat: 'full_cone', ipv6: A_IPV6 },
      { nat: 'symmetric', ipv6: null },
    );
    await world.clock.advance(SETTLE_MS);
    expect(statusOf(a).endpoint).toMatch(/^192\.0\.2\.2:\d+$/);
    expect(statusOf(b).endpoint).toMatch(/^192\.0\.2\.1:\d+$/);
    await tunnelBothWays(a, b);
  });

  it('drops IPv6 that nobody inside asked for at the firewall', async () => {
    const [a] = await pairOf({ nat: 'symmetric', ipv6: A_IPV6 }, { nat: 'open', ipv6: null });
    await world.clock.advance(SETTLE_MS); // the pair has settled: nothing else is dropped now
    const stranger = world.internet.publicHost('198.51.100.77');
    world.internet.giveIpv6(stranger, '2001:db8:77::7');
    const socket = stranger.bind(9999);
    const port = Number(a.member.localCandidates[0]!.split(']:')[1]);
    const before = world.internet.stats.dropped;
    socket.send(Buffer.from('hello'), port, A_IPV6);
    await world.clock.advance(100);
    expect(world.internet.stats.dropped - before).toBe(1);
  });
});
