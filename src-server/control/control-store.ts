import Database from 'better-sqlite3';
import type { NatType } from '../../src-shared/domain/nat-type.js';
import type { PortMappingInfo } from '../../src-shared/protocol/control-messages.js';

/**
 * Parties, members and remembered IP assignments in SQLite: the control server's only state that
 * must survive a restart. Presence timers, sessions and relays live in memory and are rebuilt
 * within seconds by reconnecting clients and heartbeating relays.
 *
 * WAL with synchronous=NORMAL: a crash of the process loses nothing committed; a power cut can
 * lose the last transactions, which clients redo on reconnect. Every statement is prepared once.
 */

export interface PartyRow {
  id: string;
  name: string;
  inviteCode: string;
  createdAt: number;
  maxMembers: number;
  /** Unix ms when the last member left; null while anyone is in it. */
  emptySince: number | null;
}

export interface MemberRow {
  publicKey: string;
  partyId: string;
  name: string;
  virtualIp: string;
  natType: NatType;
  publicEndpoint: string | null;
  localCandidates: string[];
  portMapping: PortMappingInfo | null;
  /**
   * The IP the member's latest connection came from (canonical form), stamped by the server at
   * create, join, update and login; never from the member. Null in rows from before migration 3
   * until the member connects again.
   */
  seenIp: string | null;
  online: boolean;
  joinedAt: number;
  lastSeen: number;
  offlineSince: number | null;
}

/** Each entry runs once, in order, inside a transaction; never edit one that has shipped. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE parties (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     invite_code TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL,
     max_members INTEGER NOT NULL,
     empty_since INTEGER
   ) STRICT;
   CREATE TABLE members (
     public_key TEXT PRIMARY KEY,
     party_id TEXT NOT NULL REFERENCES parties(id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     virtual_ip TEXT NOT NULL,
     nat_type TEXT NOT NULL,
     public_endpoint TEXT,
     local_candidates TEXT NOT NULL,
     online INTEGER NOT NULL,
     joined_at INTEGER NOT NULL,
     last_seen INTEGER NOT NULL,
     offline_since INTEGER,
     UNIQUE (party_id, virtual_ip)
   ) STRICT;
   CREATE INDEX members_offline ON members(offline_since) WHERE offline_since IS NOT NULL;
   CREATE INDEX parties_empty ON parties(empty_since) WHERE empty_since IS NOT NULL;
   CREATE TABLE ip_history (
     party_id TEXT NOT NULL REFERENCES parties(id) ON DELETE CASCADE,
     public_key TEXT NOT NULL,
     virtual_ip TEXT NOT NULL,
     PRIMARY KEY (party_id, public_key)
   ) STRICT, WITHOUT ROWID;`,
  // Port mapping (issue 10): the member's router-mapped endpoint and protocol, JSON or NULL.
  `ALTER TABLE members ADD COLUMN port_mapping TEXT;`,
  // Port probing's reflection guard: the IP the server saw the member's connection come from.
  `ALTER TABLE members ADD COLUMN seen_ip TEXT;`,
];

interface RawMember {
  public_key: string;
  party_id: string;
  name: string;
  virtual_ip: string;
  nat_type: string;
  public_endpoint: string | null;
  local_candidates: string;
  port_mapping: string | null;
  seen_ip: string | null;
  online: number;
  joined_at: number;
  last_seen: number;
  offline_since: number | null;
}

interface RawParty {
  id: string;
  name: string;
  invite_code: string;
  created_at: number;
  max_members: number;
  empty_since: number | null;
}

function toParty(raw: RawParty): PartyRow {
  return {
    id: raw.id,
    name: raw.name,
    inviteCode: raw.invite_code,
    createdAt: raw.created_at,
    maxMembers: raw.max_members,
    emptySince: raw.empty_since,
  };
}

function toMember(raw: RawMember): MemberRow {
  return {
    publicKey: raw.public_key,
    partyId: raw.party_id,
    name: raw.name,
    virtualIp: raw.virtual_ip,
    // Only ever written from a schema-checked NatType.
    natType: raw.nat_type as NatType,
    publicEndpoint: raw.public_endpoint,
    localCandidates: JSON.parse(raw.local_candidates) as string[],
    // Only ever written from a schema-checked PortMappingInfo.
    portMapping:
      raw.port_mapping === null ? null : (JSON.parse(raw.port_mapping) as PortMappingInfo),
    seenIp: raw.seen_ip,
    online: raw.online === 1,
    joinedAt: raw.joined_at,
    lastSeen: raw.last_seen,
    offlineSince: raw.offline_since,
  };
}

export class ControlStore {
  private readonly db: Database.Database;
  private readonly q;
  /** Built once: better-sqlite3 prepares BEGIN/COMMIT for each wrapper it makes. */
  private readonly inTransaction: (fn: () => unknown) => unknown;

  /** `path` is a file, or ':memory:' for tests that need no restart. */
  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    // A second server on the same file waits for the lock instead of failing at once.
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
    this.inTransaction = this.db.transaction((fn: () => unknown) => fn());
    const db = this.db;
    this.q = {
      partyById: db.prepare<[string], RawParty>('SELECT * FROM parties WHERE id = ?'),
      partyByInvite: db.prepare<[string], RawParty>('SELECT * FROM parties WHERE invite_code = ?'),
      insertParty: db.prepare(
        `INSERT INTO parties (id, name, invite_code, created_at, max_members, empty_since)
         VALUES (@id, @name, @inviteCode, @createdAt, @maxMembers, @emptySince)`,
      ),
      deleteParty: db.prepare<[string]>('DELETE FROM parties WHERE id = ?'),
      setEmptySince: db.prepare<[number | null, string]>(
        'UPDATE parties SET empty_since = ? WHERE id = ?',
      ),
      emptyPartiesBefore: db.prepare<[number], { id: string }>(
        'SELECT id FROM parties WHERE empty_since IS NOT NULL AND empty_since <= ?',
      ),
      membersOf: db.prepare<[string], RawMember>(
        'SELECT * FROM members WHERE party_id = ? ORDER BY joined_at, rowid',
      ),
      memberByKey: db.prepare<[string], RawMember>('SELECT * FROM members WHERE public_key = ?'),
      insertMember: db.prepare(
        `INSERT INTO members (public_key, party_id, name, virtual_ip, nat_type, public_endpoint,
           local_candidates, port_mapping, seen_ip, online, joined_at, last_seen, offline_since)
         VALUES (@publicKey, @partyId, @name, @virtualIp, @natType, @publicEndpoint,
           @localCandidates, @portMapping, @seenIp, @online, @joinedAt, @lastSeen, @offlineSince)`,
      ),
      deleteMember: db.prepare<[string]>('DELETE FROM members WHERE public_key = ?'),
      updateInfo: db.prepare<
        [string, string | null, string, string | null, string | null, number, string]
      >(
        `UPDATE members SET nat_type = ?, public_endpoint = ?, local_candidates = ?,
           port_mapping = ?, seen_ip = ?, last_seen = ?
         WHERE public_key = ?`,
      ),
      setSeenIp: db.prepare<[string | null, string]>(
        'UPDATE members SET seen_ip = ? WHERE public_key = ?',
      ),
      setOnline: db.prepare<[number, number, number | null, string]>(
        'UPDATE members SET online = ?, last_seen = ?, offline_since = ? WHERE public_key = ?',
      ),
      touch: db.prepare<[number, string]>('UPDATE members SET last_seen = ? WHERE public_key = ?'),
      offlineBefore: db.prepare<[number], { public_key: string }>(
        'SELECT public_key FROM members WHERE offline_since IS NOT NULL AND offline_since <= ?',
      ),
      onlineKeys: db.prepare<[], { public_key: string }>(
        'SELECT public_key FROM members WHERE online = 1',
      ),
      previousIp: db.prepare<[string, string], { virtual_ip: string }>(
        'SELECT virtual_ip FROM ip_history WHERE party_id = ? AND public_key = ?',
      ),
      rememberIp: db.prepare<[string, string, string]>(
        `INSERT INTO ip_history (party_id, public_key, virtual_ip) VALUES (?, ?, ?)
         ON CONFLICT (party_id, public_key) DO UPDATE SET virtual_ip = excluded.virtual_ip`,
      ),
      counts: db.prepare<[], { parties: number; members: number; online: number }>(
        `SELECT (SELECT count(*) FROM parties) AS parties, (SELECT count(*) FROM members) AS members,
           (SELECT count(*) FROM members WHERE online = 1) AS online`,
      ),
    };
  }

  private migrate(): void {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT',
    );
    const row = this.db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as {
      v: number | null;
    };
    const current = row.v ?? 0;
    if (current > MIGRATIONS.length) {
      throw new Error(
        `database schema version ${current} is newer than this server (${MIGRATIONS.length}); upgrade the server`,
      );
    }
    for (let version = current + 1; version <= MIGRATIONS.length; version++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[version - 1]!);
        this.db
          .prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)')
          .run(version, Date.now());
      })();
    }
  }

  /** Runs `fn` atomically; better-sqlite3 is synchronous, so nothing interleaves with it. */
  transaction<T>(fn: () => T): T {
    return this.inTransaction(fn) as T;
  }

  partyById(id: string): PartyRow | null {
    const raw = this.q.partyById.get(id);
    return raw ? toParty(raw) : null;
  }

  partyByInvite(code: string): PartyRow | null {
    const raw = this.q.partyByInvite.get(code);
    return raw ? toParty(raw) : null;
  }

  insertParty(party: PartyRow): void {
    this.q.insertParty.run(party);
  }

  deleteParty(id: string): void {
    this.q.deleteParty.run(id);
  }

  setPartyEmptySince(id: string, at: number | null): void {
    this.q.setEmptySince.run(at, id);
  }

  emptyPartiesBefore(at: number): string[] {
    return this.q.emptyPartiesBefore.all(at).map((r) => r.id);
  }

  membersOf(partyId: string): MemberRow[] {
    return this.q.membersOf.all(partyId).map(toMember);
  }

  memberByKey(publicKey: string): MemberRow | null {
    const raw = this.q.memberByKey.get(publicKey);
    return raw ? toMember(raw) : null;
  }

  insertMember(member: MemberRow): void {
    this.q.insertMember.run({
      ...member,
      localCandidates: JSON.stringify(member.localCandidates),
      portMapping: member.portMapping === null ? null : JSON.stringify(member.portMapping),
      online: member.online ? 1 : 0,
    });
  }

  deleteMember(publicKey: string): void {
    this.q.deleteMember.run(publicKey);
  }

  updateMemberInfo(
    publicKey: string,
    info: {
      natType: NatType;
      publicEndpoint: string | null;
      localCandidates: string[];
      portMapping?: PortMappingInfo | null | undefined;
    },
    seenIp: string | null,
    at: number,
  ): void {
    this.q.updateInfo.run(
      info.natType,
      info.publicEndpoint,
      JSON.stringify(info.localCandidates),
      info.portMapping ? JSON.stringify(info.portMapping) : null,
      seenIp,
      at,
      publicKey,
    );
  }

  setOnline(publicKey: string, online: boolean, at: number): void {
    this.q.setOnline.run(online ? 1 : 0, at, online ? null : at, publicKey);
  }

  /** The IP the member's new connection comes from (PartyService.connected). */
  setSeenIp(publicKey: string, seenIp: string | null): void {
    this.q.setSeenIp.run(seenIp, publicKey);
  }

  touch(publicKey: string, at: number): void {
    this.q.touch.run(at, publicKey);
  }

  offlineMembersBefore(at: number): string[] {
    return this.q.offlineBefore.all(at).map((r) => r.public_key);
  }

  onlineMemberKeys(): string[] {
    return this.q.onlineKeys.all().map((r) => r.public_key);
  }

  previousIp(partyId: string, publicKey: string): string | null {
    return this.q.previousIp.get(partyId, publicKey)?.virtual_ip ?? null;
  }

  rememberIp(partyId: string, publicKey: string, ip: string): void {
    this.q.rememberIp.run(partyId, publicKey, ip);
  }

  counts(): { parties: number; members: number; online: number } {
    return this.q.counts.get()!;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
