import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import type { ControlClient } from '../../src-main/core/control/control-client.js';
import type { Welcome } from '../../src-shared/protocol/control-messages.js';
import { generateKeyPair } from '../../src-common/crypto/x25519.js';
import { connectedClient, eventually, memberInfo, spawnControlServer } from './test-support.js';

const children: ChildProcess[] = [];
const clients: ControlClient[] = [];
let dir = '';

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const child of children.splice(0)) child.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('control server restart', () => {
  it('loses no party, member or IP when killed, and clients come back by themselves', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lanrage-control-'));
    const db = join(dir, 'control.db');
    const first = await spawnControlServer(['--listen', '127.0.0.1:0', '--db', db, '--dev']);
    children.push(first.child);
    expect(statSync(`${db}.key`).mode & 0o777).toBe(0o600);
    expect(statSync(db).mode & 0o777).toBe(0o600);

    // Pinning the server key proves the restarted server kept it.
    const pin = { serverKey: first.serverKey };
    const alice = await connectedClient(first, generateKeyPair(), pin);
    const bob = await connectedClient(first, generateKeyPair(), pin);
    clients.push(alice, bob);
    const { party } = await alice.request('party.create', {
      partyName: 'kept',
      memberName: 'alice',
      member: memberInfo(),
    });
    const joined = await bob.request('party.join', {
      inviteCode: party.inviteCode,
      memberName: 'bob',
      member: memberInfo(),
    });
    const before = joined.party.members.map(({ publicKey, virtualIp, name }) => ({
      publicKey,
      virtualIp,
      name,
    }));

    const welcomes: Welcome[] = [];
    alice.on('welcome', (w) => welcomes.push(w));
    bob.on('welcome', (w) => welcomes.push(w));
    first.child.kill('SIGKILL');
    await eventually(() => alice.state === 'reconnecting' && bob.state === 'reconnecting');

    const port = new URL(first.url).port;
    const second = await spawnControlServer(['--listen', `127.0.0.1:${port}`, '--db', db, '--dev']);
    children.push(second.child);
    expect(second.serverKey).toBe(first.serverKey);
    await eventually(() => welcomes.length === 2, 10_000);
    for (const w of welcomes) {
      expect(w.party?.id).toBe(party.id);
      expect(w.party?.inviteCode).toBe(party.inviteCode);
      expect(
        w.party?.members.map(({ publicKey, virtualIp, name }) => ({ publicKey, virtualIp, name })),
      ).toEqual(before);
    }
    // Both show online (they reconnected within the silence allowance), and the code still works.
    expect(welcomes.at(-1)?.party?.members.every((m) => m.online)).toBe(true);
    const carol = await connectedClient(second);
    clients.push(carol);
    const third = await carol.request('party.join', {
      inviteCode: party.inviteCode,
      memberName: 'carol',
      member: memberInfo(),
    });
    expect(third.party.members.map((m) => m.virtualIp)).toEqual([
      '10.66.0.1',
      '10.66.0.2',
      '10.66.0.3',
    ]);
    expect(second.stderr()).not.toMatch(/error/i);
  });

  it('refuses to start without LANRAGE_RELAY_SECRET unless --dev', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lanrage-control-'));
    const env = { ...process.env };
    delete env.LANRAGE_RELAY_SECRET;
    await expect(
      spawnControlServer(['--listen', '127.0.0.1:0', '--db', join(dir, 'x.db')], env),
    ).rejects.toThrow(/exited 2: .*LANRAGE_RELAY_SECRET is not set/s);
  });
});
