import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src-common/crypto/x25519.js';
import { ControlStore } from './control-store.js';
import { loadOrCreateServerKey } from './server-key.js';

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});
const tmp = () => (dir = mkdtempSync(join(tmpdir(), 'lanrage-store-')));

describe('ControlStore', () => {
  it('keeps parties, members and remembered IPs across a reopen', () => {
    const path = join(tmp(), 'c.db');
    const key = generateKeyPair().publicKey;
    const store = new ControlStore(path);
    store.insertParty({
      id: 'abcdefghijklmnop',
      name: 'p',
      inviteCode: 'AAAAA-BBBBB',
      createdAt: 1,
      maxMembers: 32,
      emptySince: null,
    });
    store.insertMember({
      publicKey: key,
      partyId: 'abcdefghijklmnop',
      name: 'm',
      virtualIp: '10.66.0.7',
      natType: 'symmetric',
      publicEndpoint: null,
      localCandidates: ['192.168.0.2:1'],
      portMapping: { endpoint: '203.0.113.7:40000', protocol: 'pcp' },
      seenIp: '192.0.2.66',
      online: true,
      joinedAt: 2,
      lastSeen: 3,
      offlineSince: null,
    });
    store.rememberIp('abcdefghijklmnop', key, '10.66.0.7');
    store.close();
    const again = new ControlStore(path);
    expect(again.partyByInvite('AAAAA-BBBBB')?.id).toBe('abcdefghijklmnop');
    expect(again.membersOf('abcdefghijklmnop')).toEqual([
      expect.objectContaining({
        publicKey: key,
        virtualIp: '10.66.0.7',
        localCandidates: ['192.168.0.2:1'],
        portMapping: { endpoint: '203.0.113.7:40000', protocol: 'pcp' },
        seenIp: '192.0.2.66',
        online: true,
      }),
    ]);
    expect(again.previousIp('abcdefghijklmnop', key)).toBe('10.66.0.7');
    again.deleteParty('abcdefghijklmnop');
    expect(again.counts()).toEqual({ parties: 0, members: 0, online: 0 });
    expect(again.previousIp('abcdefghijklmnop', key)).toBeNull();
    again.close();
  });

  it('upgrades a database from before seen_ip: its members keep everything, seenIp null', () => {
    const path = join(tmp(), 'c.db');
    const key = generateKeyPair().publicKey;
    new ControlStore(path).close();
    // Schema version 2, as a server before port probing's reflection guard wrote it.
    const db = new Database(path);
    db.exec(`ALTER TABLE members DROP COLUMN seen_ip;
      DELETE FROM schema_migrations WHERE version = 3;
      INSERT INTO parties VALUES ('abcdefghijklmnop', 'p', 'AAAAA-BBBBB', 1, 32, NULL);`);
    db.prepare(
      `INSERT INTO members (public_key, party_id, name, virtual_ip, nat_type, public_endpoint,
         local_candidates, port_mapping, online, joined_at, last_seen, offline_since)
       VALUES (?, 'abcdefghijklmnop', 'm', '10.66.0.7', 'symmetric', '198.51.100.7:40000', '[]',
         NULL, 0, 2, 3, 3)`,
    ).run(key);
    db.close();
    const store = new ControlStore(path);
    expect(store.memberByKey(key)).toMatchObject({
      publicEndpoint: '198.51.100.7:40000',
      seenIp: null,
    });
    store.setSeenIp(key, '192.0.2.66');
    expect(store.memberByKey(key)?.seenIp).toBe('192.0.2.66');
    store.close();
  });

  it('refuses a database written by a newer server', () => {
    const path = join(tmp(), 'c.db');
    new ControlStore(path).close();
    const db = new Database(path);
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (99, 0)').run();
    db.close();
    expect(() => new ControlStore(path)).toThrow(/schema version 99 is newer/);
  });
});

describe('loadOrCreateServerKey', () => {
  it('creates the key 0600 once and reads the same key back', () => {
    const path = join(tmp(), 'c.db.key');
    const first = loadOrCreateServerKey(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadOrCreateServerKey(path)).toEqual(first);
  });

  it('tightens a key file others can read, and says so', () => {
    const path = join(tmp(), 'k');
    const pair = loadOrCreateServerKey(path);
    chmodSync(path, 0o644);
    const warnings: string[] = [];
    expect(loadOrCreateServerKey(path, (w) => warnings.push(w))).toEqual(pair);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(warnings[0]).toMatch(/readable by others/);
  });

  it('refuses a key file that does not hold a key', () => {
    const path = join(tmp(), 'k');
    writeFileSync(path, 'hello\n', { mode: 0o600 });
    expect(() => loadOrCreateServerKey(path)).toThrow(/does not hold a 32-byte base64 private key/);
  });
});
