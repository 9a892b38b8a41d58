import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src-common/crypto/x25519.js';
import { startTestServer } from '../../src-server/control/test-support.js';
import type { ControlServer } from '../../src-server/control/control-server.js';
import type { CoreStatus, PeerStatus } from '../../src-shared/domain/core-status.js';
import { startMemoryCore, type MemoryCore } from './testing/memory-core.js';
import { onClock } from './testing/memory-peer.js';
import { memoryWorld, RELAY_SECRET, type MemoryWorld } from './testing/memory-world.js';

/**
 * LanrageCore as the CLI and the app build it (`LanrageCore.start`), on the in-memory internet
 * with a fake clock, against the real control server: party create / join / leave, what it
 * reports and in which order, and members joining while others are mid-join.
 */
let world: MemoryWorld;
let control: ControlServer;
const cores: MemoryCore[] = [];

afterEach(async () => {
  for (const c of cores.splice(0)) await onClock(world.clock, c.core.stop());
  await control?.close();
  await world?.close();
});

async function setup(): Promise<void> {
  world = await memoryWorld(Date.now());
  control = await startTestServer({
    relaySecret: RELAY_SECRET,
    stun: [world.stun.endpoint],
    now: () => world.clock.now(),
  });
}

async function player(
  kind: Parameters<MemoryWorld['internet']['player']>[0],
  publicIp: string,
  name: string,
  keys = generateKeyPair(),
): Promise<MemoryCore> {
  const host = world.internet.player(kind, publicIp)[0]!;
  const core = await startMemoryCore(world, control.url, host, name, { keys });
  cores.push(core);
  return core;
}

const peer = (c: MemoryCore, name: string): PeerStatus | undefined =>
  c.core.status().peers.find((p) => p.name === name);
const connected = (c: MemoryCore, name: string) =>
  peer(c, name)?.state === 'connected' && peer(c, name)?.latencyMs !== null;

/** Two key pairs, the first sorting first: its owner is the initiator of their pair. */
function orderedKeys() {
  const [x, y] = [generateKeyPair(), generateKeyPair()];
  return x.publicKey < y.publicKey ? [x, y] : [y, x];
}

describe('LanrageCore in memory', () => {
  it('creates a party, lets a member join by code, and connects the two on the NAT table’s strategy', async () => {
    await setup();
    const ana = await player('full_cone', '192.0.2.1', 'ana');
    const ben = await player('port_restricted_cone', '192.0.2.2', 'ben');
    // A core is ready before its NAT verdict (joining does not wait for it); the verdict follows.
    await onClock(world.clock, Promise.all([ana.core.natDetection, ben.core.natDetection]));
    expect(ana.core.status().self.natType).toBe('full_cone');
    expect(ben.core.status().self.natType).toBe('port_restricted_cone');
    await onClock(world.clock, ana.core.createParty('friday'));
    const invite = ana.core.status().party!.inviteCode;
    await onClock(world.clock, ben.core.joinParty(invite.toLowerCase()));
    await world.clock.until(() => connected(ana, 'ben') && connected(ben, 'ana'), 'both connected');
    await world.clock.until(
      () => peer(ana, 'ben')?.path === 'direct' && peer(ben, 'ana')?.path === 'direct',
      'a direct path both ways',
    );
    expect(ben.core.status().party).toEqual(ana.core.status().party);
    expect(peer(ana, 'ben')?.virtualIp).toBe(ben.core.status().self.virtualIp);
    expect(
      await onClock(world.clock, ana.dataPlane.tunnelLatency(peer(ana, 'ben')!.virtualIp)),
    ).not.toBeNull();
  });

  it('derives its state: idle, in-party with a party, leaving, idle, stopped — never in-party without one', async () => {
    await setup();
    const ana = await player('open', '192.0.2.1', 'ana');
    expect(ana.core.status().state).toBe('idle');
    await onClock(world.clock, ana.core.createParty('friday'));
    expect(ana.core.status().state).toBe('in-party');
    const leaving = ana.core.leaveParty();
    expect(ana.core.status().state).toBe('leaving');
    await onClock(world.clock, leaving);
    expect(ana.core.status()).toMatchObject({ state: 'idle', party: null, peers: [] });
    expect(ana.dataPlane.virtualIp).toBeNull();
    await world.clock.advance(100);
    await onClock(world.clock, ana.core.stop());
    expect(ana.core.status().state).toBe('stopped');
    cores.splice(cores.indexOf(ana), 1);
    const states = ana.pushed.map((s: CoreStatus) => s.state);
    expect(states).toContain('in-party');
    expect(ana.pushed.filter((s) => s.state === 'in-party' && s.party === null)).toEqual([]);
    expect(ana.pushed.filter((s) => s.state === 'idle' && s.party !== null)).toEqual([]);
  });

  it('connects a member who joins while the others signal it before its own join is handled', async () => {
    await setup();
    // ana is the initiator towards cara: her relay choice reaches cara while cara's interface
    // is still coming up (MEMORY_TUNNEL_UP_MS), before cara knows her as a member.
    const [anaKeys, caraKeys] = orderedKeys();
    const ana = await player('symmetric', '192.0.2.1', 'ana', anaKeys);
    const ben = await player('symmetric', '192.0.2.2', 'ben');
    const cara = await player('symmetric', '192.0.2.3', 'cara', caraKeys);
    await onClock(world.clock, ana.core.createParty('friday'));
    const invite = ana.core.status().party!.inviteCode;
    await onClock(world.clock, ben.core.joinParty(invite));
    await world.clock.until(() => connected(ana, 'ben') && connected(ben, 'ana'), 'ana–ben');
    await onClock(world.clock, cara.core.joinParty(invite));
    await world.clock.until(
      () =>
        connected(cara, 'ana') &&
        connected(cara, 'ben') &&
        connected(ana, 'cara') &&
        connected(ben, 'cara'),
      'everyone connected to cara',
    );
    for (const [c, other] of [
      [cara, 'ana'],
      [ana, 'cara'],
      [cara, 'ben'],
    ] as const) {
      expect(peer(c, other)).toMatchObject({ strategy: 'relay', relay: { id: 'near' } });
    }
  });

  it('drops a member who leaves, everywhere, and takes the leaver’s interface down', async () => {
    await setup();
    const ana = await player('open', '192.0.2.1', 'ana');
    const ben = await player('full_cone', '192.0.2.2', 'ben');
    await onClock(world.clock, ana.core.createParty('friday'));
    await onClock(world.clock, ben.core.joinParty(ana.core.status().party!.inviteCode));
    await world.clock.until(() => connected(ana, 'ben'), 'connected');
    await onClock(world.clock, ben.core.leaveParty());
    await world.clock.until(() => ana.core.status().peers.length === 0, 'ben gone from ana');
    expect(ben.core.status()).toMatchObject({ state: 'idle', party: null, peers: [] });
    expect(ben.dataPlane.virtualIp).toBeNull();
    expect(ana.core.status().state).toBe('in-party');
  });

  it('keeps the party and the tunnel through a control-server restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanrage-core-test-'));
    world = await memoryWorld(Date.now());
    const serverOptions = {
      relaySecret: RELAY_SECRET,
      stun: [world.stun.endpoint],
      now: () => world.clock.now(),
      dbPath: join(dir, 'control.db'),
    };
    control = await startTestServer(serverOptions);
    const ana = await player('open', '192.0.2.1', 'ana');
    const ben = await player('symmetric', '192.0.2.2', 'ben');
    await onClock(world.clock, ana.core.createParty('friday'));
    const party = ana.core.status().party;
    await onClock(world.clock, ben.core.joinParty(party!.inviteCode));
    await world.clock.until(() => connected(ana, 'ben') && connected(ben, 'ana'), 'connected');
    const port = control.port;
    await control.close();
    await world.clock.until(() => ana.core.status().control === 'reconnecting', 'reconnecting');
    expect(connected(ana, 'ben')).toBe(true);
    control = await startTestServer({ ...serverOptions, port });
    await world.clock.until(
      () => ana.core.status().control === 'connected' && ben.core.status().control === 'connected',
      'both logged in again',
      120_000,
    );
    expect(ana.core.status().party).toEqual(party);
    expect(ben.core.status().peers.map((p) => p.name)).toEqual(['ana']);
    expect(
      await onClock(world.clock, ben.dataPlane.tunnelLatency(peer(ben, 'ana')!.virtualIp)),
    ).not.toBeNull();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a wrong invite code with a clear error and stays idle', async () => {
    await setup();
    const ben = await player('open', '192.0.2.2', 'ben');
    await expect(onClock(world.clock, ben.core.joinParty('AAAAA-AAAAA'))).rejects.toThrow(
      /invite/i,
    );
    expect(ben.core.status()).toMatchObject({ state: 'idle', party: null });
    expect(ben.dataPlane.virtualIp).toBeNull();
  });

  it('fails a join whose interface cannot come up, and keeps no connection to its members', async () => {
    await setup();
    const ana = await player('open', '192.0.2.1', 'ana');
    const ben = await player('open', '192.0.2.2', 'ben');
    await onClock(world.clock, ana.core.createParty('friday'));
    // The peers' first paths start while the interface comes up (issue #7): its failure undoes them.
    ben.dataPlane.failNextUp = new Error('cannot address the TUN');
    await expect(
      onClock(world.clock, ben.core.joinParty(ana.core.status().party!.inviteCode)),
    ).rejects.toThrow('cannot address the TUN');
    expect(ben.core.status().peers).toEqual([]);
    expect(ben.dataPlane.virtualIp).toBeNull();
  });
});
