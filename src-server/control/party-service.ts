import { issueRouteGrant } from '../common/route-token-crypto.js';
import { addressGroup } from '../common/address-group.js';
import type { Logger } from '../common/logger.js';
import { inviteCodeFromBytes, normalizeInviteCode } from '../../src-shared/domain/invite-code.js';
import { canonicalIp } from '../../src-shared/domain/announced-endpoint.js';
import { disambiguateName } from '../../src-shared/domain/display-name.js';
import { allocateVirtualIp } from '../../src-shared/domain/virtual-ip-pool.js';
import type {
  ControlEvent,
  Member,
  MemberInfo,
  Party,
  RouteGrant,
  Signal,
} from '../../src-shared/protocol/control-messages.js';
import { ControlError } from './control-error.js';
import type { ControlStore, MemberRow, PartyRow } from './control-store.js';
import type { JoinAttemptLimiter } from './join-attempt-limiter.js';
import type { JoinProof, JoinProofIssuer } from './join-proof-issuer.js';

/**
 * The party rules: who may create, join, leave, update, signal and get route tokens, and which
 * events each change pushes to whom. No I/O except through the store and the `publish` sink,
 * so the rules are tested without sockets.
 */

/**
 * Who is asking: the authenticated key and where the connection comes from — the WebSocket's
 * remote address, or a trusted proxy's X-Forwarded-For (client-address.ts). Rate limits group by
 * it, and it is stamped into the member as `seenIp` (announced-endpoint.ts says why).
 */
export interface Caller {
  publicKey: string;
  sourceIp: string;
}

export interface PartyServiceOptions {
  store: ControlStore;
  relaySecret: Uint8Array;
  now: () => number;
  randomBytes: (length: number) => Uint8Array;
  maxMembers: number;
  /** How long a route token lets a relay forward for a pair; clients ask again before it ends. */
  routeTokenTtlSeconds: number;
  joinLimiter: JoinAttemptLimiter;
  joinProofs: JoinProofIssuer;
  /** Sends `event` to whichever of `keys` are connected; returns how many were reached. */
  publish: (keys: readonly string[], event: ControlEvent) => number;
  logger: Logger;
}

/** Party ids: 16 symbols of this alphabet (80 random bits), matching the schema's [a-z0-9]{16}. */
const PARTY_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const PARTY_ID_LENGTH = 16;
/** A fresh 50-bit invite code collides with a live one almost never; a few retries are plenty. */
const MAX_CODE_ATTEMPTS = 5;

export class PartyService {
  private readonly store: ControlStore;
  private readonly log: Logger;

  constructor(private readonly options: PartyServiceOptions) {
    this.store = options.store;
    this.log = options.logger;
  }

  /** Is `publicKey` a member of any party? One indexed lookup. */
  isMember(publicKey: string): boolean {
    return this.store.memberByKey(publicKey) !== null;
  }

  /** The caller's party, or null; what the welcome carries. */
  partyOf(publicKey: string): Party | null {
    const member = this.store.memberByKey(publicKey);
    return member ? this.snapshot(member.partyId) : null;
  }

  create(caller: Caller, partyName: string, memberName: string, info: MemberInfo): Party {
    this.refuseIfInParty(caller.publicKey);
    const now = this.options.now();
    const party = this.store.transaction(() => {
      for (let attempt = 0; attempt < MAX_CODE_ATTEMPTS; attempt++) {
        const row: PartyRow = {
          id: this.newPartyId(),
          name: partyName,
          inviteCode: inviteCodeFromBytes(this.options.randomBytes(10)),
          createdAt: now,
          maxMembers: this.options.maxMembers,
          emptySince: null,
        };
        if (this.store.partyById(row.id) || this.store.partyByInvite(row.inviteCode)) continue;
        this.store.insertParty(row);
        this.addMember(row, caller, memberName, info, now);
        return row;
      }
      throw new ControlError('internal', 'could not pick an unused invite code; try again');
    });
    this.log.info('party created', { partyId: party.id, member: caller.publicKey });
    return this.snapshot(party.id)!;
  }

  join(
    caller: Caller,
    inviteCode: string,
    memberName: string,
    info: MemberInfo,
    proof?: JoinProof,
  ): Party {
    this.refuseIfInParty(caller.publicKey);
    const group = addressGroup(caller.sourceIp);
    const limiter = this.options.joinLimiter;
    const terms = limiter.mayTry(caller.publicKey, group);
    if (terms === 'blocked') {
      throw new ControlError(
        'rate_limited',
        'too many wrong invite codes; wait a minute before trying again',
      );
    }
    const code = normalizeInviteCode(inviteCode);
    // Checked before the code is looked up: the answer must not tell a guesser whether it was right.
    if (
      terms === 'proof' &&
      !(code.ok && proof && this.options.joinProofs.verify(caller.publicKey, code.value, proof))
    ) {
      throw new ControlError(
        'proof_required',
        'many wrong invite codes come from your network: this join needs a proof of work ' +
          '(join.challenge); LANrage solves it by itself',
      );
    }
    const party = code.ok ? this.store.partyByInvite(code.value) : null;
    if (!party) {
      limiter.recordFailureOf(caller.publicKey, group, terms === 'proof');
      throw new ControlError(
        'bad_invite',
        code.ok ? `no party has invite code ${code.value}` : `inviteCode: ${code.error}`,
      );
    }
    const now = this.options.now();
    const member = this.store.transaction(() => {
      const count = this.store.membersOf(party.id).length;
      if (count >= party.maxMembers) {
        throw new ControlError('party_full', `party is full (${party.maxMembers} members)`);
      }
      const added = this.addMember(party, caller, memberName, info, now);
      this.store.setPartyEmptySince(party.id, null);
      return added;
    });
    this.log.info('member joined', { partyId: party.id, member: caller.publicKey });
    this.publishToOthers(party.id, caller.publicKey, {
      t: 'event',
      event: 'member.joined',
      partyId: party.id,
      member: toMember(member),
    });
    return this.snapshot(party.id)!;
  }

  /** A join-proof seed for the caller, at the difficulty asked for now (join-attempt-limiter.ts). */
  joinChallenge(caller: Caller): { seed: string; bits: number } {
    return this.options.joinProofs.challenge(
      caller.publicKey,
      this.options.joinLimiter.proofBits(),
    );
  }

  leave(caller: Caller, partyId: string): void {
    this.requireMember(caller.publicKey, partyId);
    this.removeMember(caller.publicKey, 'left');
  }

  update(caller: Caller, partyId: string, info: MemberInfo): Member {
    this.requireMember(caller.publicKey, partyId);
    this.store.updateMemberInfo(caller.publicKey, info, seenIpOf(caller), this.options.now());
    const member = toMember(this.store.memberByKey(caller.publicKey)!);
    this.publishToOthers(partyId, caller.publicKey, {
      t: 'event',
      event: 'member.updated',
      partyId,
      member,
    });
    return member;
  }

  /** Passes a signal to one other member of the same party; `delivered` if it is connected. */
  signal(caller: Caller, partyId: string, to: string, signal: Signal): boolean {
    this.requirePeer(caller.publicKey, partyId, to);
    const reached = this.options.publish([to], {
      t: 'event',
      event: 'signal',
      partyId,
      from: caller.publicKey,
      signal,
    });
    return reached > 0;
  }

  routeToken(caller: Caller, partyId: string, peer: string): RouteGrant {
    this.requirePeer(caller.publicKey, partyId, peer);
    const expiresAt = Math.floor(this.options.now() / 1000) + this.options.routeTokenTtlSeconds;
    return issueRouteGrant(this.options.relaySecret, partyId, caller.publicKey, peer, expiresAt);
  }

  /**
   * A connection authenticated: its member (if any) is online again, at the address this
   * connection comes from, and the party hears so.
   */
  connected(caller: Caller): Party | null {
    const { publicKey } = caller;
    const member = this.store.memberByKey(publicKey);
    if (!member) return null;
    this.store.transaction(() => {
      this.store.setOnline(publicKey, true, this.options.now());
      this.store.setSeenIp(publicKey, seenIpOf(caller));
    });
    this.publishUpdated(publicKey);
    return this.snapshot(member.partyId);
  }

  /** Socket closed or went silent: the member stays (it keeps its IP) but shows offline. */
  markOffline(publicKey: string): void {
    const member = this.store.memberByKey(publicKey);
    if (!member || !member.online) return;
    this.store.setOnline(publicKey, false, this.options.now());
    this.publishUpdated(publicKey);
  }

  /** Any message from a member proves it alive; `lastSeen` follows. */
  touch(publicKey: string): void {
    this.store.touch(publicKey, this.options.now());
  }

  /** Removes members offline since before `cutoff` and parties empty since before `emptyCutoff`. */
  expire(offlineCutoff: number, emptyCutoff: number): { removed: number; expired: number } {
    const stale = this.store.offlineMembersBefore(offlineCutoff);
    for (const key of stale) this.removeMember(key, 'expired');
    const empty = this.store.emptyPartiesBefore(emptyCutoff);
    for (const id of empty) {
      this.store.deleteParty(id);
      this.log.info('empty party expired', { partyId: id });
    }
    return { removed: stale.length, expired: empty.length };
  }

  private removeMember(publicKey: string, reason: 'left' | 'expired'): void {
    const member = this.store.memberByKey(publicKey);
    if (!member) return;
    const remaining = this.store.transaction(() => {
      this.store.deleteMember(publicKey);
      const left = this.store.membersOf(member.partyId);
      if (left.length === 0) this.store.setPartyEmptySince(member.partyId, this.options.now());
      return left;
    });
    this.log.info(reason === 'left' ? 'member left' : 'offline member removed', {
      partyId: member.partyId,
      member: publicKey,
    });
    this.options.publish(
      remaining.map((m) => m.publicKey),
      { t: 'event', event: 'member.left', partyId: member.partyId, publicKey, reason },
    );
  }

  private addMember(
    party: PartyRow,
    caller: Caller,
    name: string,
    info: MemberInfo,
    now: number,
  ): MemberRow {
    const members = this.store.membersOf(party.id);
    const inUse = new Set(members.map((m) => m.virtualIp));
    // Two members never show the same name: a newcomer's is numbered (display-name.ts).
    name = disambiguateName(
      name,
      members.map((m) => m.name),
    );
    const { publicKey } = caller;
    const ip = allocateVirtualIp(inUse, this.store.previousIp(party.id, publicKey));
    if (!ip) throw new ControlError('party_full', 'party has no free virtual IP left');
    const row: MemberRow = {
      publicKey,
      partyId: party.id,
      name,
      virtualIp: ip,
      natType: info.natType,
      publicEndpoint: info.publicEndpoint,
      localCandidates: info.localCandidates,
      portMapping: info.portMapping ?? null,
      seenIp: seenIpOf(caller),
      online: true,
      joinedAt: now,
      lastSeen: now,
      offlineSince: null,
    };
    this.store.insertMember(row);
    this.store.rememberIp(party.id, publicKey, ip);
    return row;
  }

  private refuseIfInParty(publicKey: string): void {
    const member = this.store.memberByKey(publicKey);
    if (member) {
      throw new ControlError(
        'already_in_party',
        `already a member of party ${member.partyId}; leave it first`,
      );
    }
  }

  private requireMember(publicKey: string, partyId: string): MemberRow {
    const member = this.store.memberByKey(publicKey);
    if (!member || member.partyId !== partyId) {
      throw new ControlError('not_member', `not a member of party ${partyId}`);
    }
    return member;
  }

  private requirePeer(publicKey: string, partyId: string, peer: string): void {
    this.requireMember(publicKey, partyId);
    if (peer === publicKey) throw new ControlError('unknown_peer', 'peer is yourself');
    const other = this.store.memberByKey(peer);
    if (!other || other.partyId !== partyId) {
      throw new ControlError('unknown_peer', `peer is not a member of party ${partyId}`);
    }
  }

  private publishUpdated(publicKey: string): void {
    const member = this.store.memberByKey(publicKey);
    if (!member) return;
    this.publishToOthers(member.partyId, publicKey, {
      t: 'event',
      event: 'member.updated',
      partyId: member.partyId,
      member: toMember(member),
    });
  }

  private publishToOthers(partyId: string, except: string, event: ControlEvent): void {
    const keys = this.store
      .membersOf(partyId)
      .map((m) => m.publicKey)
      .filter((k) => k !== except);
    if (keys.length > 0) this.options.publish(keys, event);
  }

  private snapshot(partyId: string): Party | null {
    const party = this.store.partyById(partyId);
    if (!party) return null;
    return {
      id: party.id,
      name: party.name,
      inviteCode: party.inviteCode,
      createdAt: party.createdAt,
      maxMembers: party.maxMembers,
      members: this.store.membersOf(partyId).map(toMember),
    };
  }

  private newPartyId(): string {
    const bytes = this.options.randomBytes(PARTY_ID_LENGTH);
    let id = '';
    for (let i = 0; i < PARTY_ID_LENGTH; i++) id += PARTY_ID_ALPHABET[bytes[i]! & 31];
    return id;
  }
}

/** The caller's address as members carry it (canonical; null when the socket had none). */
function seenIpOf(caller: Caller): string | null {
  return canonicalIp(caller.sourceIp);
}

export function toMember(row: MemberRow): Member {
  return {
    publicKey: row.publicKey,
    name: row.name,
    virtualIp: row.virtualIp,
    natType: row.natType,
    publicEndpoint: row.publicEndpoint,
    localCandidates: row.localCandidates,
    portMapping: row.portMapping,
    seenIp: row.seenIp,
    online: row.online,
    joinedAt: row.joinedAt,
    lastSeen: row.lastSeen,
  };
}
