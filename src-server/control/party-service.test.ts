import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src-common/crypto/x25519.js';
import { verifyRouteToken } from '../common/route-token-crypto.js';
import type { ControlEvent } from '../../src-shared/protocol/control-messages.js';
import { ControlError } from './control-error.js';
import { ControlStore } from './control-store.js';
import { solveJoinProof } from '../../src-common/crypto/join-proof.js';
import { JoinAttemptLimiter } from './join-attempt-limiter.js';
import { JoinProofIssuer } from './join-proof-issuer.js';
import { PartyService, type Caller } from './party-service.js';
import { Presence } from './presence.js';
import { memberInfo, silentLogger, TEST_SECRET } from './test-support.js';

function setup(options: { maxMembers?: number; maxGlobalFailures?: number } = {}) {
  const clock = { now: 1_700_000_000_000 };
  const now = () => clock.now;
  const store = new ControlStore(':memory:');
  const pushed: { to: readonly string[]; event: ControlEvent }[] = [];
  const service = new PartyService({
    store,
    relaySecret: TEST_SECRET,
    now,
    randomBytes: (n) => randomBytes(n),
    maxMembers: options.maxMembers ?? 32,
    routeTokenTtlSeconds: 3600,
    joinLimiter: new JoinAttemptLimiter({
      maxFailures: 5,
      windowMs: 60_000,
      now,
      maxGlobalFailures: options.maxGlobalFailures ?? 600,
    }),
    joinProofs: new JoinProofIssuer(TEST_SECRET, now),
    publish: (to, event) => {
      pushed.push({ to, event });
      return to.length;
    },
    logger: silentLogger(),
  });
  const silent: string[] = [];
  const presence = new Presence({
    service,
    now,
    offlineAfterMs: 45_000,
    removeAfterMs: 300_000,
    emptyPartyTtlMs: 600_000,
    onSilent: (key) => silent.push(key),
  });
  return { clock, store, service, presence, pushed, silent };
}

const caller = (ip = '203.0.113.5') => ({ publicKey: generateKeyPair().publicKey, sourceIp: ip });

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof ControlError) return error.code;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('PartyService', () => {
  it('creates a party whose creator holds 10.66.0.1 and whose code reads back', () => {
    const { service } = setup();
    const alice = caller();
    const party = service.create(alice, 'Friday LAN', 'alice', memberInfo());
    expect(party.id).toMatch(/^[a-z0-9]{16}$/);
    expect(party.inviteCode).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
    expect(party.members).toHaveLength(1);
    expect(party.members[0]).toMatchObject({
      publicKey: alice.publicKey,
      virtualIp: '10.66.0.1',
      online: true,
    });
  });

  it('lets members join by code, typed loosely, and pushes member.joined to the others only', () => {
    const { service, pushed } = setup();
    const alice = caller();
    const bob = caller();
    const party = service.create(alice, 'p', 'alice', memberInfo());
    const sloppy = party.inviteCode.toLowerCase().replace('-', ' ');
    const joined = service.join(bob, sloppy, 'bob', memberInfo({ natType: 'symmetric' }));
    expect(joined.members.map((m) => m.virtualIp)).toEqual(['10.66.0.1', '10.66.0.2']);
    expect(pushed).toEqual([
      {
        to: [alice.publicKey],
        event: expect.objectContaining({ event: 'member.joined', partyId: party.id }),
      },
    ]);
  });

  it('keeps the party after its creator leaves and tells the rest', () => {
    const { service, pushed } = setup();
    const alice = caller();
    const bob = caller();
    const party = service.create(alice, 'p', 'alice', memberInfo());
    service.join(bob, party.inviteCode, 'bob', memberInfo());
    service.leave(alice, party.id);
    expect(service.partyOf(alice.publicKey)).toBeNull();
    expect(service.partyOf(bob.publicKey)?.members.map((m) => m.publicKey)).toEqual([
      bob.publicKey,
    ]);
    expect(pushed.at(-1)).toEqual({
      to: [bob.publicKey],
      event: {
        t: 'event',
        event: 'member.left',
        partyId: party.id,
        publicKey: alice.publicKey,
        reason: 'left',
      },
    });
  });

  it('refuses a member beyond the limit with party_full and changes nothing', () => {
    const { service } = setup({ maxMembers: 2 });
    const party = service.create(caller(), 'p', 'a', memberInfo());
    service.join(caller(), party.inviteCode, 'b', memberInfo());
    const carol = caller();
    expect(refusal(() => service.join(carol, party.inviteCode, 'c', memberInfo()))).toBe(
      'party_full',
    );
    expect(service.partyOf(party.members[0]!.publicKey)?.members).toHaveLength(2);
    expect(service.partyOf(carol.publicKey)).toBeNull();
  });

  it('gives a returning member its old IP when free, and the lowest free one when not', () => {
    const { service } = setup();
    const [a, b, c, d] = [caller(), caller(), caller(), caller()];
    const party = service.create(a, 'p', 'a', memberInfo());
    service.join(b, party.inviteCode, 'b', memberInfo()); // .2
    service.join(c, party.inviteCode, 'c', memberInfo()); // .3
    service.leave(b, party.id);
    const back = service.join(b, party.inviteCode, 'b', memberInfo());
    expect(back.members.find((m) => m.publicKey === b.publicKey)?.virtualIp).toBe('10.66.0.2');
    service.leave(c, party.id);
    service.join(d, party.inviteCode, 'd', memberInfo()); // takes the lowest free: .3
    const again = service.join(c, party.inviteCode, 'c', memberInfo());
    expect(again.members.find((m) => m.publicKey === d.publicKey)?.virtualIp).toBe('10.66.0.3');
    expect(again.members.find((m) => m.publicKey === c.publicKey)?.virtualIp).toBe('10.66.0.4');
  });

  it('fills 10.66.0.0/24 and rolls over to 10.66.1.1 for the 255th member', () => {
    const { service } = setup({ maxMembers: 300 });
    const party = service.create(caller(), 'big', 'm0', memberInfo());
    let last = party;
    for (let i = 1; i < 256; i++)
      last = service.join(caller(), party.inviteCode, `m${i}`, memberInfo());
    const ips = last.members.map((m) => m.virtualIp);
    expect(ips[253]).toBe('10.66.0.254');
    expect(ips[254]).toBe('10.66.1.1');
    expect(ips[255]).toBe('10.66.1.2');
    expect(new Set(ips).size).toBe(256);
  });

  it('allows one party per key at a time', () => {
    const { service } = setup();
    const alice = caller();
    const other = service.create(caller(), 'other', 'x', memberInfo());
    service.create(alice, 'mine', 'alice', memberInfo());
    expect(refusal(() => service.create(alice, 'again', 'alice', memberInfo()))).toBe(
      'already_in_party',
    );
    expect(refusal(() => service.join(alice, other.inviteCode, 'alice', memberInfo()))).toBe(
      'already_in_party',
    );
  });

  it('limits wrong codes per key, and asks for a join proof past the group budget', async () => {
    const { service, clock } = setup();
    const party = service.create(caller(), 'p', 'a', memberInfo());
    const wrong = (who: Caller) =>
      refusal(() => service.join(who, 'AAAAA-AAAAA', 'x', memberInfo()));
    const guesser = caller('192.0.2.1');
    for (let i = 0; i < 5; i++) expect(wrong(guesser)).toBe('bad_invite');
    // The key has spent its own budget: even the right code is refused now.
    expect(refusal(() => service.join(guesser, party.inviteCode, 'x', memberInfo()))).toBe(
      'rate_limited',
    );
    // One more key from the same address brings the group to its 10 failures.
    for (let k = 0; k < 1; k++) {
      const next = caller('192.0.2.1');
      for (let i = 0; i < 5; i++) expect(wrong(next)).toBe('bad_invite');
    }
    // From now on every key of that address, fresh or not, needs a proof: fresh keys gain nothing.
    expect(wrong(caller('192.0.2.1'))).toBe('proof_required');
    // A real invitee behind the same address, typing the right code, is not locked out: it
    // pays the proof (18 bits) once and gets in.
    const invitee = caller('192.0.2.1');
    expect(refusal(() => service.join(invitee, party.inviteCode, 'real', memberInfo()))).toBe(
      'proof_required',
    );
    const { seed, bits } = service.joinChallenge(invitee);
    expect(bits).toBe(18);
    const nonce = await solveJoinProof(Buffer.from(seed, 'base64'), party.inviteCode, bits);
    const proof = { seed, bits, nonce: nonce.toString('base64') };
    // The proof is for that code and that key only.
    expect(refusal(() => service.join(invitee, 'BBBBB-BBBBB', 'real', memberInfo(), proof))).toBe(
      'proof_required',
    );
    expect(
      refusal(() => service.join(caller('192.0.2.1'), party.inviteCode, 'r', memberInfo(), proof)),
    ).toBe('proof_required');
    expect(
      service
        .join(invitee, party.inviteCode, 'real', memberInfo(), proof)
        .members.map((m) => m.name),
    ).toEqual(['a', 'real']);
    // Another address is a group of its own and still tries for free; an IPv6 address counts by
    // its /64, so another address in the same /64 shares its budget.
    expect(wrong(caller('198.51.100.7'))).toBe('bad_invite');
    for (let k = 0; k < 2; k++) {
      const v6 = caller(`2001:db8:0:1::${k + 1}`);
      for (let i = 0; i < 5; i++) expect(wrong(v6)).toBe('bad_invite');
    }
    expect(wrong(caller('2001:db8:0:1::ffff'))).toBe('proof_required');
    clock.now += 61_000;
    service.join(guesser, party.inviteCode, 'z', memberInfo());
  });

  it('asks everyone for a proof once the whole server is past its free budget', () => {
    const { service } = setup({ maxGlobalFailures: 30 });
    const party = service.create(caller(), 'p', 'a', memberInfo());
    // 30 addresses, one wrong guess each: no group is near its budget, the server is at its own.
    for (let i = 1; i <= 30; i++) {
      expect(
        refusal(() => service.join(caller(`192.0.2.${i}`), 'AAAAA-AAAAA', 'x', memberInfo())),
      ).toBe('bad_invite');
    }
    expect(
      refusal(() => service.join(caller('198.51.100.1'), party.inviteCode, 'x', memberInfo())),
    ).toBe('proof_required');
  });

  it('takes a seed for this window and the last, never an older one or another difficulty', async () => {
    const { service, clock } = setup({ maxGlobalFailures: 1 });
    const party = service.create(caller(), 'p', 'a', memberInfo());
    const exhaust = () =>
      refusal(() => service.join(caller('192.0.2.1'), 'AAAAA-AAAAA', 'x', memberInfo()));
    exhaust();
    const solved = async (who: Caller) => {
      const { seed, bits } = service.joinChallenge(who);
      const nonce = await solveJoinProof(Buffer.from(seed, 'base64'), party.inviteCode, bits);
      return { seed, bits, nonce: nonce.toString('base64') };
    };
    const early = caller('192.0.2.2');
    const earlyProof = await solved(early);
    const late = caller('192.0.2.3');
    const lateProof = await solved(late);
    // Claiming a lower difficulty for the same seed does not verify.
    expect(
      refusal(() =>
        service.join(late, party.inviteCode, 'l', memberInfo(), { ...lateProof, bits: 1 }),
      ),
    ).toBe('proof_required');
    clock.now += 61_000;
    exhaust();
    expect(service.join(early, party.inviteCode, 'e', memberInfo(), earlyProof).id).toBe(party.id);
    clock.now += 60_000;
    exhaust();
    expect(refusal(() => service.join(late, party.inviteCode, 'l', memberInfo(), lateProof))).toBe(
      'proof_required',
    );
  });

  it('signs route tokens that verify, with the same route id and opposite sides for a pair', () => {
    const { service, clock } = setup();
    const alice = caller();
    const bob = caller();
    const party = service.create(alice, 'p', 'a', memberInfo());
    service.join(bob, party.inviteCode, 'b', memberInfo());
    const ga = service.routeToken(alice, party.id, bob.publicKey);
    const gb = service.routeToken(bob, party.id, alice.publicKey);
    expect(ga.routeId).toBe(gb.routeId);
    expect(ga.side + gb.side).toBe(1);
    const nowSeconds = Math.floor(clock.now / 1000);
    const verified = verifyRouteToken(TEST_SECRET, Buffer.from(ga.token, 'base64'), nowSeconds);
    expect(verified.ok && Buffer.from(verified.value.routeId).toString('hex')).toBe(ga.routeId);
    expect(verified.ok && verified.value.sideKey.toString('base64')).toBe(ga.sideKey);
    expect(
      verifyRouteToken(TEST_SECRET, Buffer.from(ga.token, 'base64'), ga.expiresAt + 1).ok,
    ).toBe(false);
  });

  it('refuses tokens and signals for peers outside the party or for oneself', () => {
    const { service } = setup();
    const alice = caller();
    const stranger = caller();
    const party = service.create(alice, 'p', 'a', memberInfo());
    const other = service.create(stranger, 'q', 's', memberInfo());
    const punch = { kind: 'punch', at: 1, attempt: 0 } as const;
    expect(refusal(() => service.routeToken(alice, party.id, stranger.publicKey))).toBe(
      'unknown_peer',
    );
    expect(refusal(() => service.routeToken(alice, party.id, alice.publicKey))).toBe(
      'unknown_peer',
    );
    expect(refusal(() => service.signal(alice, party.id, stranger.publicKey, punch))).toBe(
      'unknown_peer',
    );
    expect(refusal(() => service.signal(alice, other.id, stranger.publicKey, punch))).toBe(
      'not_member',
    );
  });
});

describe('Presence', () => {
  it('marks a silent member offline at 45 s, removes it at 5 min, and expires the empty party at 10 min', () => {
    const { service, presence, clock, pushed, silent } = setup();
    const alice = caller();
    const bob = caller();
    const party = service.create(alice, 'p', 'a', memberInfo());
    service.join(bob, party.inviteCode, 'b', memberInfo());
    presence.heard(alice.publicKey);
    presence.heard(bob.publicKey);

    clock.now += 30_000;
    presence.heard(bob.publicKey);
    clock.now += 15_000;
    expect(presence.sweep()).toEqual({ offline: 1, removed: 0, expired: 0 });
    expect(silent).toEqual([alice.publicKey]);
    expect(service.partyOf(bob.publicKey)?.members.map((m) => m.online)).toEqual([false, true]);
    expect(pushed.at(-1)?.event).toMatchObject({
      event: 'member.updated',
      member: { online: false },
    });

    clock.now += 300_000;
    // Bob kept talking; Alice has been offline for 5 minutes.
    presence.heard(bob.publicKey);
    expect(presence.sweep()).toEqual({ offline: 0, removed: 1, expired: 0 });
    expect(pushed.at(-1)?.event).toMatchObject({ event: 'member.left', reason: 'expired' });

    presence.gone(bob.publicKey); // socket closed: offline at once
    expect(service.partyOf(bob.publicKey)?.members[0]?.online).toBe(false);
    clock.now += 300_000;
    expect(presence.sweep()).toEqual({ offline: 0, removed: 1, expired: 0 });
    clock.now += 599_000;
    expect(presence.sweep().expired).toBe(0);
    clock.now += 1_000;
    expect(presence.sweep().expired).toBe(1);
    expect(refusal(() => service.join(caller(), party.inviteCode, 'late', memberInfo()))).toBe(
      'bad_invite',
    );
  });

  it('stamps each member with the IP its connection comes from, whatever it announces', () => {
    const { service, pushed } = setup();
    const alice = caller('192.0.2.66');
    const bob = caller('::ffff:203.0.113.9');
    const party = service.create(
      alice,
      'p',
      'a',
      memberInfo({ publicEndpoint: '198.51.100.7:40000' }),
    );
    expect(party.members[0]).toMatchObject({
      publicEndpoint: '198.51.100.7:40000',
      seenIp: '192.0.2.66',
    });
    service.join(bob, party.inviteCode, 'b', memberInfo({ publicEndpoint: '203.0.113.9:5000' }));
    expect(pushed.at(-1)).toMatchObject({
      to: [alice.publicKey],
      event: { event: 'member.joined', member: { seenIp: '203.0.113.9' } },
    });
    // An update is stamped with its own connection's address (IPv6 in canonical form).
    const moved = service.update(
      { publicKey: alice.publicKey, sourceIp: '2001:DB8:0:0::66' },
      party.id,
      memberInfo({ publicEndpoint: '198.51.100.7:40000' }),
    );
    expect(moved).toMatchObject({ publicEndpoint: '198.51.100.7:40000', seenIp: '2001:db8::66' });
  });

  it('stamps a reconnecting member with its new connection’s address and tells the party', () => {
    const { service, presence, pushed } = setup();
    const alice = caller('192.0.2.66');
    const bob = caller();
    const party = service.create(alice, 'p', 'a', memberInfo());
    service.join(bob, party.inviteCode, 'b', memberInfo());
    presence.gone(alice.publicKey);
    const snapshot = service.connected({ publicKey: alice.publicKey, sourceIp: '192.0.2.99' });
    expect(snapshot?.members[0]).toMatchObject({ online: true, seenIp: '192.0.2.99' });
    expect(pushed.at(-1)).toMatchObject({
      to: [bob.publicKey],
      event: { event: 'member.updated', member: { seenIp: '192.0.2.99' } },
    });
  });

  it('brings an offline member back online on reconnect and tells the party', () => {
    const { service, presence, pushed } = setup();
    const alice = caller();
    const bob = caller();
    const party = service.create(alice, 'p', 'a', memberInfo());
    service.join(bob, party.inviteCode, 'b', memberInfo());
    presence.gone(alice.publicKey);
    const snapshot = service.connected(alice);
    expect(snapshot?.members[0]).toMatchObject({ publicKey: alice.publicKey, online: true });
    expect(pushed.at(-1)).toMatchObject({
      to: [bob.publicKey],
      event: { event: 'member.updated' },
    });
  });
});
