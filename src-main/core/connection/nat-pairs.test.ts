import { afterEach, describe, expect, it } from 'vitest';
import type { PeerStatus } from '../../../src-shared/domain/core-status.js';
import type { NatType } from '../../../src-shared/domain/nat-type.js';
import type { MemoryNatKind } from '../testing/memory-nat.js';
import { memoryPair, onClock, type MemoryPeer } from '../testing/memory-peer.js';
import { memoryWorld, type MemoryWorld } from '../testing/memory-world.js';

/**
 * Every pair of NAT kinds on the in-memory internet, with the real connection layer on both sides
 * (NAT detection, coordinator, punching, real relay servers) and a fake clock: which strategy
 * each pair ends on, on which path, and whether tunnel traffic passes both ways. Seconds, no root.
 * The expectations are the README's NAT table, written out.
 */
const KINDS: MemoryNatKind[] = [
  'open',
  'full_cone',
  'restricted_cone',
  'port_restricted_cone',
  'symmetric',
];

/** What RFC 5780 detection must call each kind. */
const DETECTED: Record<MemoryNatKind, NatType> = {
  open: 'open',
  full_cone: 'full_cone',
  restricted_cone: 'restricted_cone',
  port_restricted_cone: 'port_restricted_cone',
  symmetric: 'symmetric',
};

/** 'probe': direct, opened by port probing (the table says relay; issue 10 item 3). */
type Expected = 'direct' | 'relay' | 'probe';
/** README "How two members are connected"; symmetric in its two sides. */
const EXPECTED: Record<string, Expected> = {
  'open/open': 'direct',
  'open/full_cone': 'direct',
  'open/restricted_cone': 'direct',
  'open/port_restricted_cone': 'direct',
  'open/symmetric': 'direct',
  'full_cone/full_cone': 'direct',
  'full_cone/restricted_cone': 'direct',
  'full_cone/port_restricted_cone': 'direct',
  'full_cone/symmetric': 'direct',
  'restricted_cone/restricted_cone': 'direct',
  'restricted_cone/port_restricted_cone': 'direct',
  'restricted_cone/symmetric': 'probe',
  'port_restricted_cone/port_restricted_cone': 'direct',
  'port_restricted_cone/symmetric': 'probe',
  'symmetric/symmetric': 'relay',
};

/** Long enough for relay bind, the punch at +400 ms within its 3 s window, and several probes. */
const SETTLE_MS = 10_000;

let world: MemoryWorld;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  // Stopping waits for tasks that wait on the fake clock: keep it moving meanwhile.
  for (const c of closers.splice(0).reverse()) await onClock(world.clock, c());
  await world?.close();
});

async function pairOf(a: MemoryNatKind, b: MemoryNatKind) {
  world = await memoryWorld();
  const peers = await memoryPair(
    world,
    { kind: a, publicIp: '192.0.2.1' },
    { kind: b, publicIp: '192.0.2.2' },
  );
  closers.push(...peers.map((p) => () => p.close()));
  return peers;
}

const statusOf = (p: MemoryPeer): PeerStatus => {
  const s = p.manager.statuses()[0];
  if (!s) throw new Error(`${p.name} has no peer`);
  return s;
};

const pairs = KINDS.flatMap((a, i) => KINDS.slice(i).map((b) => [a, b] as const));

describe('every pair of NAT kinds, in memory', () => {
  it.each(pairs)(
    '%s ↔ %s ends on the strategy the NAT table gives, tunnel passing',
    async (ka, kb) => {
      const [a, b] = await pairOf(ka, kb);
      expect(a.nat.natType).toBe(DETECTED[ka]);
      expect(b.nat.natType).toBe(DETECTED[kb]);
      await world.clock.advance(SETTLE_MS);
      const expected = EXPECTED[`${ka}/${kb}`]!;
      const want = expected === 'probe' ? 'direct' : expected;
      for (const [self, other] of [
        [a, b],
        [b, a],
      ] as const) {
        const s = statusOf(self);
        expect({ strategy: s.strategy, path: s.path, state: s.state }, self.name).toEqual({
          strategy: want,
          path: want,
          state: 'connected',
        });
        if (want === 'relay') expect(s.relay?.id).toBe('near');
        // What "Why relayed?" reads: the relay is set up first for every pair, the punch only
        // where the table allows one, and the method that opened the path in use.
        expect(s.coordination).toEqual({
          selfNat: self.nat.natType,
          peerNat: other.nat.natType,
          lan: { outcome: 'not-tried', reason: 'different-networks' },
          holePunch:
            want === 'relay'
              ? { outcome: 'not-tried', reason: 'nat-incompatible' }
              : { outcome: 'succeeded', reason: 'ok' },
          // The first attempt's plan (punch-schedule.ts); who leads depends on the random keys.
          punch:
            want === 'relay' || expected === 'probe'
              ? null
              : {
                  attempt: 1,
                  role: expect.stringMatching(/^(leader|follower)$/),
                  openerTtl: 2,
                  family: 'ipv4',
                  nextTryAt: null,
                },
          portProbe:
            expected === 'probe'
              ? {
                  attempt: 1,
                  role: self.nat.natType === 'symmetric' ? 'opener' : 'prober',
                  outcome: 'succeeded',
                  sockets: self.nat.natType === 'symmetric' ? 256 : 0,
                  packets: expect.any(Number),
                  timeToDirectMs: expect.any(Number),
                  nextTryAt: null,
                }
              : null,
          relay: { outcome: 'succeeded', reason: 'ok' },
          openedBy: want === 'relay' ? 'relay' : expected === 'probe' ? 'port-probe' : 'hole-punch',
        });
        expect(s.latencyMs).not.toBeNull();
        const tunnel = await onClock(
          world.clock,
          self.dataPlane.tunnelLatency(other.member.virtualIp),
        );
        expect(tunnel, `${self.name} → ${other.name} through the tunnel`).not.toBeNull();
      }
    },
  );
});
