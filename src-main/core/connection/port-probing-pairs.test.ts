import { afterEach, describe, expect, it } from 'vitest';
import type { PeerStatus } from '../../../src-shared/domain/core-status.js';
import { MAX_PROBES, PROBE_SOCKETS } from '../paths/port-probing.js';
import type { MemoryNatKind } from '../testing/memory-nat.js';
import type { Signal } from '../../../src-shared/protocol/control-messages.js';
import { memoryPair, memoryPeer, onClock, type MemoryPeer } from '../testing/memory-peer.js';
import { memoryWorld, type MemoryWorld } from '../testing/memory-world.js';

/**
 * Port probing (issue 10 item 3) over the in-memory internet, whose symmetric NATs draw every
 * mapping's port at random (memory-nat.ts): the real connection layer on both sides, real relays,
 * a fake clock. A symmetric ↔ cone pair goes direct by probing, counts what it spent, keeps one
 * probe socket and closes the rest; symmetric ↔ symmetric never probes.
 */

/** Relay first, the probing signal at +400 ms, its 3 s window, and the path's first probes. */
const SETTLE_MS = 10_000;

let world: MemoryWorld;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await onClock(world.clock, c());
  await world?.close();
});

async function pairOf(a: MemoryNatKind, b: MemoryNatKind, natSeed?: number) {
  world = await memoryWorld(undefined, natSeed);
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

describe('port probing, in memory', () => {
  it('takes symmetric ↔ port-restricted direct over the one probe socket that was hit', async () => {
    const [sym, cone] = await pairOf('symmetric', 'port_restricted_cone');
    await world.clock.advance(SETTLE_MS);
    const s = statusOf(sym);
    const c = statusOf(cone);
    expect([s.path, c.path]).toEqual(['direct', 'direct']);
    expect([s.coordination.openedBy, c.coordination.openedBy]).toEqual([
      'port-probe',
      'port-probe',
    ]);
    expect(s.reason).toMatch(
      /^symmetric ↔ port_restricted_cone: direct after port probing \(attempt 1, \d+ packets, \d\.\d\d s\)$/,
    );
    // The symmetric side carries the peer on one probe socket and has closed the other 255.
    expect(sym.dataPlane.probeSockets.size).toBe(1);
    const [socket] = [...sym.dataPlane.probeSockets.keys()];
    expect(sym.dataPlane.pathOf(cone.keys.publicKey)).toEqual({
      kind: 'direct',
      host: '192.0.2.2',
      port: expect.any(Number),
      socket,
    });
    // The cone side reaches the symmetric NAT's port of that socket, from its one socket.
    expect(cone.dataPlane.pathOf(sym.keys.publicKey)).toEqual({
      kind: 'direct',
      host: '192.0.2.1',
      port: expect.any(Number),
    });
    expect(cone.dataPlane.probeSockets.size).toBe(0);
    // Bounded, and stopped at the hit: the prober never sent all its probes.
    const opener = s.coordination.portProbe!;
    const prober = c.coordination.portProbe!;
    expect(opener).toMatchObject({ role: 'opener', outcome: 'succeeded', sockets: 256 });
    expect(prober).toMatchObject({ role: 'prober', outcome: 'succeeded', sockets: 0 });
    expect(opener.packets).toBeGreaterThanOrEqual(PROBE_SOCKETS);
    expect(prober.packets).toBeGreaterThan(0);
    expect(prober.packets).toBeLessThan(MAX_PROBES);
    expect(opener.timeToDirectMs).toBeLessThan(3_000);
    for (const [self, other] of [
      [sym, cone],
      [cone, sym],
    ] as const) {
      const rtt = await onClock(world.clock, self.dataPlane.tunnelLatency(other.member.virtualIp));
      expect(rtt, `${self.name} → ${other.name} through the tunnel`).not.toBeNull();
    }
  });

  it('goes direct in at least 18 of 20 pairs with fresh random NAT ports', async () => {
    let direct = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const [sym, cone] = await pairOf('port_restricted_cone', 'symmetric', seed * 7_919);
      await world.clock.advance(SETTLE_MS);
      if (statusOf(sym).path === 'direct' && statusOf(cone).path === 'direct') direct++;
      for (const c of closers.splice(0).reverse()) await onClock(world.clock, c());
      await world.close();
    }
    expect(direct).toBeGreaterThanOrEqual(18);
  });

  it('spends at most 256 sockets and 1,280 probes when nothing answers, then stays relayed', async () => {
    const [sym, cone] = await pairOf('symmetric', 'restricted_cone');
    // The two players' direct packets are lost (the relays still carry them).
    world.internet.block('192.0.2.1', '192.0.2.2');
    await world.clock.advance(SETTLE_MS);
    const s = statusOf(sym);
    const c = statusOf(cone);
    expect([s.path, c.path]).toEqual(['relay', 'relay']);
    expect(s.coordination.portProbe).toMatchObject({
      role: 'opener',
      outcome: 'failed',
      sockets: 256,
      packets: 256,
      timeToDirectMs: null,
      nextTryAt: expect.any(Number),
    });
    expect(c.coordination.portProbe).toMatchObject({
      role: 'prober',
      outcome: 'failed',
      sockets: 0,
      packets: 1_280,
    });
    expect(s.reason).toMatch(
      /port probing attempt 1 found no common port \(256 packets\), using the relay; next try in \d+ s$/,
    );
    expect(sym.dataPlane.probeSockets.size).toBe(0);
  });

  it('probes three cone peers of one symmetric player in turn, each going direct', async () => {
    world = await memoryWorld(undefined, 99);
    const peers = new Map<string, MemoryPeer>();
    const deliver = (to: string, from: string, signal: Signal) =>
      peers.get(to)?.manager.onSignal(from, signal);
    const specs = [
      ['sym', 'symmetric', '192.0.2.1'],
      ['c1', 'port_restricted_cone', '192.0.2.2'],
      ['c2', 'restricted_cone', '192.0.2.3'],
      ['c3', 'port_restricted_cone', '192.0.2.4'],
    ] as const;
    const all: MemoryPeer[] = [];
    for (const [i, [name, kind, ip]] of specs.entries()) {
      const host = world.internet.player(kind, ip)[0]!;
      const p = await memoryPeer(world, name, host, `10.66.0.${i + 1}`, deliver);
      peers.set(p.keys.publicKey, p);
      all.push(p);
      closers.push(() => p.close());
    }
    await onClock(
      world.clock,
      Promise.all(
        all.flatMap((a) => all.filter((b) => b !== a).map((b) => a.manager.ensure(b.member))),
      ),
    );
    // Three openers of ~0.3–3.4 s each, one after another, then the paths' first probes.
    await world.clock.advance(3 * SETTLE_MS);
    const sym = all[0]!;
    const paths = sym.manager
      .statuses()
      .map((p) => `${p.name}:${p.path}:${p.coordination.openedBy}`);
    expect(paths.sort()).toEqual([
      'c1:direct:port-probe',
      'c2:direct:port-probe',
      'c3:direct:port-probe',
    ]);
    // One probe socket per cone peer carries its path; every other one is closed.
    expect(sym.dataPlane.probeSockets.size).toBe(3);
  });

  it('never probes between two symmetric NATs', async () => {
    const [a, b] = await pairOf('symmetric', 'symmetric');
    await world.clock.advance(SETTLE_MS);
    expect([statusOf(a).path, statusOf(b).path]).toEqual(['relay', 'relay']);
    expect([statusOf(a).coordination.portProbe, statusOf(b).coordination.portProbe]).toEqual([
      null,
      null,
    ]);
    expect(a.dataPlane.probeSockets.size + b.dataPlane.probeSockets.size).toBe(0);
  });

  it('closes the probe socket carrying the path when the peer leaves', async () => {
    const [sym, cone] = await pairOf('symmetric', 'port_restricted_cone');
    await world.clock.advance(SETTLE_MS);
    expect(sym.dataPlane.probeSockets.size).toBe(1);
    await onClock(world.clock, sym.manager.drop(cone.keys.publicKey));
    expect(sym.dataPlane.probeSockets.size).toBe(0);
  });
});
