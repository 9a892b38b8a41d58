import { afterEach, describe, expect, it } from 'vitest';
import type { PeerStatus } from '../../../src-shared/domain/core-status.js';
import type { Signal } from '../../../src-shared/protocol/control-messages.js';
import {
  memoryPair,
  memoryPeer,
  onClock,
  TEST_CONFIG,
  type MemoryPeer,
} from '../testing/memory-peer.js';
import { memoryWorld, type MemoryWorld } from '../testing/memory-world.js';

/**
 * What happens to a connected pair when the network changes under it, on the in-memory internet
 * with a fake clock: relay failover, a direct path that dies, an outage shorter than the reconnect
 * budget, one longer (failed, then cleaned up), two players on one LAN, and signals that arrive
 * before their sender is known.
 */
let world: MemoryWorld;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  // Stopping waits for tasks that wait on the fake clock: keep it moving meanwhile.
  for (const c of closers.splice(0).reverse()) await onClock(world.clock, c());
  await world?.close();
});

const statusOf = (p: MemoryPeer): PeerStatus | undefined => p.manager.statuses()[0];
const on = (p: MemoryPeer, relay: string) =>
  statusOf(p)?.relay?.id === relay && statusOf(p)?.latencyMs !== null;

async function pair(
  a: Parameters<typeof memoryPair>[1],
  b: Parameters<typeof memoryPair>[2],
  tokenLifetimeS?: number,
) {
  const peers = await memoryPair(world, a, b, tokenLifetimeS);
  closers.push(...peers.map((p) => () => p.close()));
  return peers;
}

async function tunnelBothWays(a: MemoryPeer, b: MemoryPeer): Promise<void> {
  expect(await onClock(world.clock, a.dataPlane.tunnelLatency(b.member.virtualIp))).not.toBeNull();
  expect(await onClock(world.clock, b.dataPlane.tunnelLatency(a.member.virtualIp))).not.toBeNull();
}

describe('a connected pair when the network changes', () => {
  it('moves both sides to the far relay when the near relay dies, and the tunnel passes', async () => {
    world = await memoryWorld();
    const [a, b] = await pair(
      { kind: 'symmetric', publicIp: '192.0.2.1' },
      { kind: 'symmetric', publicIp: '192.0.2.2' },
    );
    await world.clock.until(() => on(a, 'near') && on(b, 'near'), 'both on near');
    await world.relays.near.close();
    await world.clock.until(() => on(a, 'far') && on(b, 'far'), 'both on far', 30_000);
    expect(statusOf(a)?.state).toBe('connected');
    await tunnelBothWays(a, b);
  });

  it('falls back to the relay when the direct path dies', async () => {
    world = await memoryWorld();
    const [a, b] = await pair(
      { kind: 'port_restricted_cone', publicIp: '192.0.2.1' },
      { kind: 'port_restricted_cone', publicIp: '192.0.2.2' },
    );
    await world.clock.until(
      () => statusOf(a)?.path === 'direct' && statusOf(b)?.path === 'direct',
      'direct on both sides',
    );
    world.internet.block('192.0.2.1', '192.0.2.2');
    await world.clock.until(
      () => on(a, 'near') && on(b, 'near'),
      'both back on the relay',
      TEST_CONFIG.deadPathAfterMs * 4,
    );
    expect(statusOf(a)?.reason).toBe('direct path died; using the relay');
    await tunnelBothWays(a, b);
  });

  it('reconnects after an outage shorter than the reconnect budget', async () => {
    world = await memoryWorld();
    const [a, b] = await pair(
      { kind: 'symmetric', publicIp: '192.0.2.1' },
      { kind: 'symmetric', publicIp: '192.0.2.2' },
    );
    await world.clock.until(() => on(a, 'near') && on(b, 'near'), 'both on near');
    world.internet.unplug('192.0.2.1');
    await world.clock.advance(TEST_CONFIG.deadPathAfterMs + TEST_CONFIG.probeIntervalMs * 2);
    expect(statusOf(a)?.latencyMs).toBeNull();
    expect(statusOf(a)?.state).toBe('connecting');
    world.internet.plug('192.0.2.1');
    await world.clock.until(
      () => statusOf(a)?.state === 'connected' && statusOf(b)?.state === 'connected',
      'both connected again',
      TEST_CONFIG.monitorIntervalMs * TEST_CONFIG.reconnectAttempts,
    );
    await tunnelBothWays(a, b);
  });

  it('fails a peer that stays unreachable, then cleans it up after failedCleanupMs', async () => {
    world = await memoryWorld();
    const [a] = await pair(
      { kind: 'symmetric', publicIp: '192.0.2.1' },
      { kind: 'symmetric', publicIp: '192.0.2.2' },
    );
    await world.clock.until(() => on(a, 'near'), 'on near');
    world.internet.unplug('192.0.2.2');
    await world.clock.advance(TEST_CONFIG.monitorIntervalMs * (TEST_CONFIG.reconnectAttempts + 2));
    expect(statusOf(a)?.state).toBe('failed');
    await world.clock.advance(TEST_CONFIG.failedCleanupMs + 10_000);
    expect(a.manager.statuses()).toEqual([]);
  });

  it('keeps a relayed pair bound past many token lifetimes, refreshing each token from its expiry', async () => {
    world = await memoryWorld();
    const lifetimeS = 60;
    const [a, b] = await pair(
      { kind: 'symmetric', publicIp: '192.0.2.1' },
      { kind: 'symmetric', publicIp: '192.0.2.2' },
      lifetimeS,
    );
    await world.clock.until(() => on(a, 'near') && on(b, 'near'), 'both on near');
    const before = a.grants();
    await world.clock.advance(lifetimeS * 3 * 1000);
    // The relay unbinds sides whose token expired; nothing here may have expired.
    world.relays.near.sweep();
    await world.clock.advance(TEST_CONFIG.deadPathAfterMs * 2);
    expect(on(a, 'near') && on(b, 'near')).toBe(true);
    // Half the remaining life each time: every 30 s for a 60 s token, so about six in 3 minutes.
    expect(a.grants() - before).toBeGreaterThanOrEqual(5);
    expect(a.grants() - before).toBeLessThanOrEqual(7);
    await tunnelBothWays(a, b);
  });

  it('joins two symmetric NATs behind one router over their LAN addresses', async () => {
    world = await memoryWorld();
    const [h1, h2] = world.internet.player('symmetric', '192.0.2.1', 2);
    const [a, b] = await pair(h1!, h2!);
    await world.clock.until(
      () => statusOf(a)?.path === 'lan' && statusOf(b)?.path === 'lan',
      'LAN path on both sides',
    );
    expect(statusOf(a)?.endpoint).toBe(
      `${h2!.ip}:${b.services ? b.member.localCandidates[0]!.split(':')[1] : ''}`,
    );
    expect(statusOf(a)?.reason).toContain('trying LAN addresses first');
    await tunnelBothWays(a, b);
  });
});

describe('signals before their sender is known', () => {
  it('keeps a relay choice that arrives before the member, and follows it as soon as the member is known', async () => {
    world = await memoryWorld();
    const peers = new Map<string, MemoryPeer>();
    const held: [string, string, Signal][] = [];
    const deliver = (to: string, from: string, signal: Signal) => {
      held.push([to, from, signal]);
      peers.get(to)?.manager.onSignal(from, signal);
    };
    const x = await memoryPeer(
      world,
      'x',
      world.internet.player('symmetric', '192.0.2.1')[0]!,
      '10.66.0.1',
      deliver,
    );
    const y = await memoryPeer(
      world,
      'y',
      world.internet.player('symmetric', '192.0.2.2')[0]!,
      '10.66.0.2',
      deliver,
    );
    closers.push(
      () => x.close(),
      () => y.close(),
    );
    peers.set(x.keys.publicKey, x);
    peers.set(y.keys.publicKey, y);
    // The initiator (lower key) picks the relay; the other learns of the pair only later.
    const [first, second] = x.keys.publicKey < y.keys.publicKey ? [x, y] : [y, x];
    await onClock(world.clock, first.manager.ensure(second.member));
    await world.clock.until(
      () => held.some(([to]) => to === second.keys.publicKey),
      'a signal to the late side',
    );
    expect(second.manager.statuses()).toEqual([]);
    await world.clock.advance(1_000);
    await onClock(world.clock, second.manager.ensure(first.member));
    // Replayed at once, not at the initiator's next nudge (RELAY_NUDGE_MS = 2 s after its bind).
    await world.clock.until(
      () => on(first, 'near') && on(second, 'near'),
      'the late side on the relay the initiator chose',
      500,
    );
  });
});
