import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src-common/crypto/x25519.js';
import type { Party, ServerMessage } from '../../src-shared/protocol/control-messages.js';
import type { ControlServer } from './control-server.js';
import { memberInfo, type RawSocket, rawLogin, startTestServer } from './test-support.js';

/**
 * `seenIp` over the real WebSocket: the control server stamps each member with the address its
 * connection comes from (here loopback), whatever the member announces, and refuses a member that
 * tries to send the field itself. Headers are believed only from a configured trusted proxy.
 */
let server: ControlServer | null = null;
const sockets: RawSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await server?.close();
  server = null;
});

/** Sends one request and returns the server's answer to it. */
async function ask(raw: RawSocket, request: object): Promise<ServerMessage> {
  const before = raw.messages.length;
  raw.send(JSON.stringify({ t: 'req', ...request }));
  const messages = await raw.waitFor(before + 1);
  return messages[before]!;
}

async function login(headers: Record<string, string> = {}): Promise<RawSocket> {
  const raw = await rawLogin(server!.wsUrl, generateKeyPair(), headers);
  sockets.push(raw);
  return raw;
}

const ANNOUNCED = '198.51.100.7:41641';

describe('the IP the control server sees each member at', () => {
  it('is stamped from the socket, not from what the member announces', async () => {
    server = await startTestServer();
    const creator = await login();
    const created = await ask(creator, {
      id: 1,
      op: 'party.create',
      partyName: 'p',
      memberName: 'ana',
      member: memberInfo({ publicEndpoint: ANNOUNCED }),
    });
    expect(created).toMatchObject({ t: 'res', ok: true });
    const party = (created as { result: { party: Party } }).result.party;
    expect(party.members[0]).toMatchObject({ publicEndpoint: ANNOUNCED, seenIp: '127.0.0.1' });
    // The other members get the stamp in the snapshot and in member events.
    const joiner = await login();
    const joined = await ask(joiner, {
      id: 1,
      op: 'party.join',
      inviteCode: party.inviteCode,
      memberName: 'ben',
      member: memberInfo({ publicEndpoint: '203.0.113.9:5000' }),
    });
    const members = (joined as { result: { party: Party } }).result.party.members;
    expect(members.map((m) => [m.name, m.publicEndpoint, m.seenIp])).toEqual([
      ['ana', ANNOUNCED, '127.0.0.1'],
      ['ben', '203.0.113.9:5000', '127.0.0.1'],
    ]);
    await creator.waitFor(4);
    expect(creator.messages[3]).toMatchObject({
      t: 'event',
      event: 'member.joined',
      member: { name: 'ben', seenIp: '127.0.0.1' },
    });
  });

  it('refuses a member that sends seenIp itself, and changes nothing', async () => {
    server = await startTestServer();
    const raw = await login();
    const create = await ask(raw, {
      id: 1,
      op: 'party.create',
      partyName: 'p',
      memberName: 'ana',
      member: { ...memberInfo(), seenIp: '198.51.100.7' },
    });
    expect(create).toMatchObject({ t: 'res', id: 1, ok: false, error: { code: 'bad_message' } });
    const good = await ask(raw, {
      id: 2,
      op: 'party.create',
      partyName: 'p',
      memberName: 'ana',
      member: memberInfo(),
    });
    const party = (good as { result: { party: Party } }).result.party;
    const update = await ask(raw, {
      id: 3,
      op: 'member.update',
      partyId: party.id,
      member: { ...memberInfo({ publicEndpoint: ANNOUNCED }), seenIp: '198.51.100.7' },
    });
    expect(update).toMatchObject({ t: 'res', id: 3, ok: false, error: { code: 'bad_message' } });
    const honest = await ask(raw, {
      id: 4,
      op: 'member.update',
      partyId: party.id,
      member: memberInfo({ publicEndpoint: ANNOUNCED }),
    });
    expect(honest).toMatchObject({ ok: true, result: { member: { seenIp: '127.0.0.1' } } });
  });

  it('ignores X-Forwarded-For from a client that is not a trusted proxy', async () => {
    server = await startTestServer();
    const raw = await login({ 'x-forwarded-for': '198.51.100.7' });
    const created = await ask(raw, {
      id: 1,
      op: 'party.create',
      partyName: 'p',
      memberName: 'ana',
      member: memberInfo({ publicEndpoint: ANNOUNCED }),
    });
    expect(created).toMatchObject({
      ok: true,
      result: { party: { members: [{ seenIp: '127.0.0.1' }] } },
    });
  });

  it('takes the client address from a trusted proxy’s X-Forwarded-For (--trusted-proxy)', async () => {
    server = await startTestServer({ trustedProxies: ['127.0.0.1'] });
    const raw = await login({ 'x-forwarded-for': '::ffff:198.51.100.7' });
    const created = await ask(raw, {
      id: 1,
      op: 'party.create',
      partyName: 'p',
      memberName: 'ana',
      member: memberInfo({ publicEndpoint: ANNOUNCED }),
    });
    expect(created).toMatchObject({
      ok: true,
      result: { party: { members: [{ seenIp: '198.51.100.7' }] } },
    });
  });
});
