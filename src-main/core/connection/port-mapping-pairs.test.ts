import { afterEach, describe, expect, it } from 'vitest';
import type { PeerStatus } from '../../../src-shared/domain/core-status.js';
import type { MemoryNatKind } from '../testing/memory-nat.js';
import { memoryPair, onClock, type MemoryPeer } from '../testing/memory-peer.js';
import { memoryWorld, type MemoryWorld } from '../testing/memory-world.js';

/**
 * Pairs where a router maps a port (NAT-PMP, in memory: a forward on the NAT, with Linux's
 * conntrack collision), with the real connection layer on both sides and a fake clock: pairs the
 * NAT table leaves relayed go direct through the mapping, opened by it. Expected outcomes are
 * written out from issue 10 ("the miniupnpd player direct to everyone").
 */
const MAPPED_PORT = 51_000;
/** Relay bind, the punch at +400 ms with its 0.2 s lead and the answer, then several probes. */
const SETTLE_MS = 10_000;

let world: MemoryWorld;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await onClock(world.clock, c());
  await world?.close();
});

const statusOf = (p: MemoryPeer): PeerStatus => p.manager.statuses()[0]!;

describe('port mapping, in memory', () => {
  it.each([
    // a's NAT, mapped?, b's NAT, mapped?, whose mapping each side reports (a's view, b's view)
    ['symmetric', true, 'symmetric', false, ['self', 'peer']],
    ['symmetric', true, 'port_restricted_cone', false, ['self', 'peer']],
    ['port_restricted_cone', false, 'symmetric', true, ['peer', 'self']],
    ['restricted_cone', true, 'symmetric', false, ['self', 'peer']],
  ] as const)(
    '%s (mapped: %s) ↔ %s (mapped: %s) goes direct through the mapping, tunnel passing',
    async (ka, mapA, kb, mapB, whose) => {
      world = await memoryWorld();
      const [a, b] = await memoryPair(
        world,
        { kind: ka as MemoryNatKind, publicIp: '192.0.2.1' },
        { kind: kb as MemoryNatKind, publicIp: '192.0.2.2' },
        undefined,
        { ...(mapA && { a: MAPPED_PORT }), ...(mapB && { b: MAPPED_PORT }) },
      );
      closers.push(...[a, b].map((p) => () => p.close()));
      await world.clock.advance(SETTLE_MS);
      for (const [i, [self, other]] of [
        [a, b],
        [b, a],
      ].entries()) {
        const s = statusOf(self!);
        expect({ strategy: s.strategy, path: s.path, state: s.state }, self!.name).toEqual({
          strategy: 'direct',
          path: 'direct',
          state: 'connected',
        });
        expect(s.reason).toContain('direct via NAT-PMP mapping');
        expect(s.coordination.openedBy).toBe('port-mapping');
        expect(s.coordination.portMapping?.used).toEqual({
          whose: whose[i],
          protocol: 'nat-pmp',
        });
        const tunnel = await onClock(
          world.clock,
          self!.dataPlane.tunnelLatency(other!.member.virtualIp),
        );
        expect(tunnel, `${self!.name} → ${other!.name} through the tunnel`).not.toBeNull();
      }
    },
  );

  it('both sides mapped: the side whose key sorts first sends to the other mapping', async () => {
    world = await memoryWorld();
    const [a, b] = await memoryPair(
      world,
      { kind: 'symmetric', publicIp: '192.0.2.1' },
      { kind: 'symmetric', publicIp: '192.0.2.2' },
      undefined,
      { a: MAPPED_PORT, b: MAPPED_PORT },
    );
    closers.push(...[a, b].map((p) => () => p.close()));
    await world.clock.advance(SETTLE_MS);
    const [first, second] = a.keys.publicKey < b.keys.publicKey ? [a, b] : [b, a];
    expect(statusOf(first).coordination.portMapping?.used).toEqual({
      whose: 'peer',
      protocol: 'nat-pmp',
    });
    expect(statusOf(second).coordination.portMapping?.used).toEqual({
      whose: 'self',
      protocol: 'nat-pmp',
    });
    expect(statusOf(first).endpoint).toBe(`${second === a ? '192.0.2.1' : '192.0.2.2'}:51000`);
  });
});
