import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-common/crypto/x25519.js';
import { silentLogger } from '../../../src-common/logging/logger.js';
import { seededRandom } from '../../../src-shared/protocol/fuzz-bytes.js';
import { memoryPeer, onClock, type MemoryPeer } from '../testing/memory-peer.js';
import { memoryWorld, type MemoryWorld } from '../testing/memory-world.js';
import { PortProber } from './port-prober.js';
import type { PortProbeRole } from './port-probing.js';

/**
 * The PortProber on its own, from a real member of the in-memory internet: an attempt towards an
 * announced endpoint whose IP is not the one the control server sees the peer at sends nothing
 * and opens nothing, whichever role; a confirmed one sends its full count (nobody answers here).
 */
const TARGET = '203.0.113.77';

let world: MemoryWorld;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await onClock(world.clock, c());
  await world?.close();
});

async function proberOn(kind: 'symmetric' | 'port_restricted_cone'): Promise<{
  self: MemoryPeer;
  attempt: (role: PortProbeRole, seenIp: string | null) => Promise<unknown>;
}> {
  world = await memoryWorld();
  const host = world.internet.player(kind, '192.0.2.2')[0]!;
  const self = await memoryPeer(world, 'self', host, '10.66.0.2', () => {});
  closers.push(() => self.close());
  const peerKey = generateKeyPair().publicKey;
  self.services.probes.addPeer(peerKey);
  const prober = new PortProber({
    peerKey,
    probes: self.services.probes,
    sockets: self.probeSockets ?? never(),
    link: { useProven: () => never() },
    clock: world.clock,
    random: seededRandom(5),
    log: silentLogger,
  });
  const attempt = (role: PortProbeRole, seenIp: string | null) =>
    onClock(
      world.clock,
      prober.run(
        role,
        { host: TARGET, port: 40_000, seenIp },
        world.clock.now(),
        2,
        new AbortController().signal,
      ),
    );
  return { self, attempt };
}

function never(): never {
  throw new Error('not expected in this test');
}

const sentToTarget = () => world.internet.sentTo.get(TARGET) ?? 0;

describe('PortProber', () => {
  it('sends no probe towards an endpoint the control server does not see the peer at', async () => {
    const { attempt } = await proberOn('port_restricted_cone');
    expect(await attempt('prober', '192.0.2.66')).toEqual({
      path: null,
      packets: 0,
      sockets: 0,
      provenAfterMs: null,
      socket: null,
    });
    expect(await attempt('prober', null)).toMatchObject({ packets: 0 });
    expect(sentToTarget()).toBe(0);
  });

  it('opens no socket and sends no opener towards such an endpoint either', async () => {
    const { self, attempt } = await proberOn('symmetric');
    expect(await attempt('opener', '192.0.2.66')).toMatchObject({ packets: 0, sockets: 0 });
    expect(sentToTarget()).toBe(0);
    expect(self.dataPlane.probeSockets.size).toBe(0);
  });

  it('probes a confirmed endpoint (IPv4-mapped stamp included) with its full count', async () => {
    const { attempt } = await proberOn('port_restricted_cone');
    expect(await attempt('prober', `::ffff:${TARGET}`)).toMatchObject({ packets: 1_280 });
    expect(sentToTarget()).toBe(1_280);
  });
});
