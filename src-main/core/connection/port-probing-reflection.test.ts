import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-common/crypto/x25519.js';
import type { NatType } from '../../../src-shared/domain/nat-type.js';
import type { Member } from '../../../src-shared/protocol/control-messages.js';
import { ControlStore } from '../../../src-server/control/control-store.js';
import { JoinAttemptLimiter } from '../../../src-server/control/join-attempt-limiter.js';
import { JoinProofIssuer } from '../../../src-server/control/join-proof-issuer.js';
import { PartyService } from '../../../src-server/control/party-service.js';
import { silentLogger } from '../../../src-server/control/test-support.js';
import { memoryPeer, onClock, type MemoryPeer } from '../testing/memory-peer.js';
import { memoryWorld, RELAY_SECRET, type MemoryWorld } from '../testing/memory-world.js';

/**
 * Port probing as a reflector: a hostile party member announces a stranger's IP as its public
 * endpoint and the NAT type that makes its peers spray it (symmetric, so cone peers probe up to
 * 1,280 random ports; or a cone, so symmetric peers send 256 openers), and keeps asking for
 * attempts with punch signals, as any member may. The member info its peers get comes from the
 * real PartyService, which stamps `seenIp` from the caller's connection (seen-ip.test.ts shows
 * that is the socket's address); the in-memory internet counts every datagram sent to the
 * stranger. The peers are the real connection layer on a fake clock.
 */
const STRANGER = '203.0.113.77';
/** Where the hostile member really is: its connection to the control server comes from here. */
const HOSTILE_IP = '192.0.2.66';
/** Punch signals the attacker sends, one every ATTACK_SPACING_MS (each a full attempt's window). */
const ATTACKS = 10;
const ATTACK_SPACING_MS = 3_500;

let world: MemoryWorld;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await onClock(world.clock, c());
  await world?.close();
});

/** The hostile member as the control server hands it out: its lie, and the server's stamp. */
function hostileMember(natType: NatType, seenFrom: string): Member {
  const now = () => world.clock.now();
  const service = new PartyService({
    store: new ControlStore(':memory:'),
    relaySecret: RELAY_SECRET,
    now,
    randomBytes: (n) => randomBytes(n),
    maxMembers: 32,
    routeTokenTtlSeconds: 600,
    joinLimiter: new JoinAttemptLimiter({
      maxFailures: 5,
      windowMs: 60_000,
      now,
      maxGlobalFailures: 600,
    }),
    joinProofs: new JoinProofIssuer(RELAY_SECRET, now),
    publish: () => 0,
    logger: silentLogger(),
  });
  const caller = { publicKey: generateKeyPair().publicKey, sourceIp: seenFrom };
  const party = service.create(caller, 'p', 'mal', {
    natType,
    publicEndpoint: `${STRANGER}:40000`,
    localCandidates: [],
  });
  return party.members[0]!;
}

async function honest(name: string, kind: NatType, ip: string): Promise<MemoryPeer> {
  const host = world.internet.player(kind as 'symmetric', ip)[0]!;
  const peer = await memoryPeer(world, name, host, '10.66.0.2', () => {});
  closers.push(() => peer.close());
  return peer;
}

/** The attacker's punch signals to `victim`, spaced so each attempt runs its whole window. */
async function attack(victim: MemoryPeer, mal: Member): Promise<void> {
  await onClock(world.clock, victim.manager.ensure(mal));
  for (let attempt = 1; attempt <= ATTACKS; attempt++) {
    victim.manager.onSignal(mal.publicKey, {
      kind: 'punch',
      at: world.clock.now() + 400,
      attempt,
    });
    await world.clock.advance(ATTACK_SPACING_MS);
  }
}

const sentToStranger = () => world.internet.sentTo.get(STRANGER) ?? 0;

describe('a member announcing a stranger’s IP', () => {
  it('gets no probe sent there by a cone peer when it claims a symmetric NAT', async () => {
    world = await memoryWorld();
    const cone = await honest('cone', 'port_restricted_cone', '192.0.2.2');
    const mal = hostileMember('symmetric', HOSTILE_IP);
    expect(mal).toMatchObject({ publicEndpoint: `${STRANGER}:40000`, seenIp: HOSTILE_IP });
    await attack(cone, mal);
    expect(sentToStranger()).toBe(0);
    const status = cone.manager.statuses()[0]!;
    expect(status.path).toBe('relay');
    expect(status.coordination.portProbe).toBeNull();
    expect(status.coordination.holePunch).toEqual({
      outcome: 'not-tried',
      reason: 'endpoint-unconfirmed',
    });
    expect(status.reason).toBe(
      `port_restricted_cone ↔ symmetric: no direct path can be opened; port probing not tried: the peer announced ${STRANGER}, but the LANrage server sees it at ${HOSTILE_IP} (probes go only to the address the server sees)`,
    );
  });

  it('gets no opener sent there by a symmetric peer when it claims a cone NAT', async () => {
    world = await memoryWorld();
    const sym = await honest('sym', 'symmetric', '192.0.2.3');
    const mal = hostileMember('port_restricted_cone', HOSTILE_IP);
    await attack(sym, mal);
    expect(sentToStranger()).toBe(0);
    // Nothing was opened for it either.
    expect(sym.dataPlane.probeSockets.size).toBe(0);
    expect(sym.manager.statuses()[0]!.coordination.portProbe).toBeNull();
  });

  it('gets at most one hole-punch ping per 100 ms there from a cone peer when it claims a cone NAT', async () => {
    world = await memoryWorld();
    const cone = await honest('cone', 'port_restricted_cone', '192.0.2.2');
    const mal = hostileMember('port_restricted_cone', HOSTILE_IP);
    const start = world.clock.now();
    await attack(cone, mal);
    const seconds = (world.clock.now() - start) / 1000;
    const sent = sentToStranger();
    console.log(
      `HOLE PUNCH pings to the stranger: ${sent} in ${seconds} s, ${ATTACKS} attacker signals`,
    );
    expect(sent).toBeGreaterThan(0);
    // Each attempt pings the one candidate every 100 ms for its 3 s window (31 at most): the
    // attacker's ten, and one the peer starts itself when its key sorts first.
    expect(sent).toBeLessThanOrEqual((ATTACKS + 1) * 31);
  });

  it('would get 1,280 probes per attempt there if its announcement were believed (the old way)', async () => {
    world = await memoryWorld();
    const cone = await honest('cone', 'port_restricted_cone', '192.0.2.2');
    // A server fooled into stamping the announced IP: what trusting the member amounted to.
    const mal = hostileMember('symmetric', STRANGER);
    await attack(cone, mal);
    expect(sentToStranger()).toBe(ATTACKS * 1_280);
    expect(cone.manager.statuses()[0]!.coordination.portProbe).toMatchObject({
      role: 'prober',
      outcome: 'failed',
      packets: 1_280,
    });
  });
});
