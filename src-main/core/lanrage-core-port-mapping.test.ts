import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src-common/crypto/x25519.js';
import { startTestServer } from '../../src-server/control/test-support.js';
import type { ControlServer } from '../../src-server/control/control-server.js';
import type { PeerStatus } from '../../src-shared/domain/core-status.js';
import type { MappingProtocol } from './portmap/mapping-protocol.js';
import { startMemoryCore, type MemoryCore } from './testing/memory-core.js';
import type { MemoryHost } from './testing/memory-internet.js';
import { onClock } from './testing/memory-peer.js';
import { memoryWorld, RELAY_SECRET, type MemoryWorld } from './testing/memory-world.js';

/**
 * LanrageCore with a router that maps its port (a scripted PCP router whose mapping is a real
 * forward on the in-memory NAT), against the real control server: the mapping is announced to
 * the party, two symmetric NATs go direct through it, and leaving deletes it.
 */
const MAPPED_PORT = 51_000;

let world: MemoryWorld;
let control: ControlServer;
const cores: MemoryCore[] = [];

afterEach(async () => {
  for (const c of cores.splice(0)) await onClock(world.clock, c.core.stop());
  await control?.close();
  await world?.close();
});

/** A PCP router in front of `host` that forwards MAPPED_PORT to whatever port it is asked. */
function pcpRouter(host: MemoryHost) {
  const router = {
    maps: 0,
    unmaps: 0,
    protocol: {
      name: 'pcp',
      map: (internalPort: number, lifetimeS: number) => {
        router.maps++;
        host.nat!.forward(MAPPED_PORT, { ip: host.ip, port: internalPort });
        return Promise.resolve({
          externalIp: host.nat!.publicIp,
          externalPort: MAPPED_PORT,
          lifetimeS,
          routerRestarted: false,
        });
      },
      unmap: () => {
        router.unmaps++;
        return Promise.resolve();
      },
    } satisfies MappingProtocol,
  };
  return router;
}

const peer = (c: MemoryCore, name: string): PeerStatus | undefined =>
  c.core.status().peers.find((p) => p.name === name);

describe('LanrageCore with a router that maps its port', () => {
  it('announces the mapping, goes direct through it between two symmetric NATs, and deletes it on leave', async () => {
    world = await memoryWorld(Date.now());
    control = await startTestServer({
      relaySecret: RELAY_SECRET,
      stun: [world.stun.endpoint],
      now: () => world.clock.now(),
    });
    const anaHost = world.internet.player('symmetric', '192.0.2.1')[0]!;
    const router = pcpRouter(anaHost);
    const ana = await startMemoryCore(world, control.url, anaHost, 'ana', {
      keys: generateKeyPair(),
      mappingProtocols: () => Promise.resolve([router.protocol]),
    });
    cores.push(ana);
    const benHost = world.internet.player('symmetric', '192.0.2.2')[0]!;
    const ben = await startMemoryCore(world, control.url, benHost, 'ben');
    cores.push(ben);
    await world.clock.until(() => ana.core.status().self.portMapping != null, 'the mapping');
    expect(ana.core.status().self.portMapping).toEqual({
      endpoint: '192.0.2.1:51000',
      protocol: 'pcp',
    });
    await onClock(world.clock, ana.core.createParty('friday'));
    await onClock(world.clock, ben.core.joinParty(ana.core.status().party!.inviteCode));
    await world.clock.until(
      () =>
        peer(ana, 'ben')?.coordination.openedBy === 'port-mapping' &&
        peer(ben, 'ana')?.coordination.openedBy === 'port-mapping',
      'a direct path both ways, opened by the mapping',
    );
    expect(peer(ben, 'ana')?.path).toBe('direct');
    expect(peer(ben, 'ana')?.reason).toContain('direct via PCP mapping');
    expect(peer(ana, 'ben')?.reason).toContain('direct via PCP mapping');
    expect(peer(ben, 'ana')?.endpoint).toBe('192.0.2.1:51000');
    expect(peer(ben, 'ana')?.coordination.portMapping).toMatchObject({
      peer: 'pcp',
      used: { whose: 'peer', protocol: 'pcp' },
    });
    expect(peer(ana, 'ben')?.coordination.portMapping?.used).toEqual({
      whose: 'self',
      protocol: 'pcp',
    });
    await onClock(world.clock, ana.core.leaveParty());
    expect(router.unmaps).toBe(1);
    expect(ana.core.status().self.portMapping).toBeNull();
  });
});
