import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authProof } from '../../src-common/crypto/control-auth.js';
import { generateKeyPair, type KeyPair } from '../../src-common/crypto/x25519.js';
import { CONTROL_CLOSE } from '../../src-shared/protocol/control-close-codes.js';
import type { ControlClient } from '../../src-main/core/control/control-client.js';
import type {
  ErrorCode,
  Party,
  ServerMessage,
} from '../../src-shared/protocol/control-messages.js';
import type { ControlServer } from './control-server.js';
import {
  connectedClient,
  memberInfo,
  RawSocket,
  rawLogin,
  startTestServer,
} from './test-support.js';

/**
 * Every way a client can send something wrong, each answered with its exact error code, and
 * nothing in the server's state changed by it.
 */

let server: ControlServer;
let owner: ControlClient;
let party: Party;
let otherParty: Party;
const member = generateKeyPair();
const outsiderKeys = generateKeyPair();

beforeAll(async () => {
  server = await startTestServer({ messageRatePerSecond: 1, messageBurst: 8 });
  owner = await connectedClient(server);
  party = (
    await owner.request('party.create', {
      partyName: 'p',
      memberName: 'owner',
      member: memberInfo(),
    })
  ).party;
  const m = await connectedClient(server, member);
  await m.request('party.join', {
    inviteCode: party.inviteCode,
    memberName: 'member',
    member: memberInfo(),
  });
  await m.close();
  const outsider = await connectedClient(server, outsiderKeys);
  otherParty = (
    await outsider.request('party.create', {
      partyName: 'q',
      memberName: 'o',
      member: memberInfo(),
    })
  ).party;
  await outsider.close();
});

afterAll(async () => {
  await owner.close();
  await server.close();
});

/** What must not change: parties, members, IPs, names, endpoints (not presence fields). */
async function fingerprint(): Promise<string> {
  const health = (await (await fetch(`${server.url}/health`)).json()) as Record<string, number>;
  const observer = await connectedClient(server, outsiderKeys);
  const parties = [owner.welcome?.party?.id, observer.welcome?.party?.id];
  await observer.close();
  const view = await connectedClient(server, member);
  const members = view.welcome?.party?.members.map(({ online: _o, lastSeen: _l, ...rest }) => rest);
  await view.close();
  return JSON.stringify({
    parties: health.parties,
    members: health.members,
    ids: parties,
    list: members,
  });
}

function lastAnswer(messages: ServerMessage[]): { code: ErrorCode; message: string; id?: number } {
  const last = messages.at(-1);
  if (last?.t === 'error') return { ...last.error, ...(last.id !== undefined && { id: last.id }) };
  if (last?.t === 'res' && !last.ok) return { ...last.error, id: last.id };
  throw new Error(`expected an error, got ${JSON.stringify(last)}`);
}

interface Case {
  name: string;
  /** Logged in as the party member first? */
  loggedIn: boolean;
  send: (raw: RawSocket, hello: Extract<ServerMessage, { t: 'hello' }>) => void;
  code: ErrorCode;
  message: RegExp;
  closes?: number;
}

const req = (body: Record<string, unknown>) => JSON.stringify({ t: 'req', id: 7, ...body });

const CASES: Case[] = [
  {
    name: 'text that is not JSON',
    loggedIn: false,
    send: (r) => r.send('{"t":"auth",'),
    code: 'bad_message',
    message: /not valid JSON/,
  },
  {
    name: 'a binary frame',
    loggedIn: true,
    send: (r) => r.send(Buffer.from([1, 2, 3]), true),
    code: 'bad_message',
    message: /binary/,
  },
  {
    name: 'a 20 KB message',
    loggedIn: true,
    send: (r) => r.send(req({ op: 'heartbeat', pad: 'x'.repeat(20_000) })),
    code: 'too_large',
    message: /limit is 16384/,
  },
  {
    name: 'JSON that is not an object',
    loggedIn: true,
    send: (r) => r.send('[1,2,3]'),
    code: 'bad_message',
    message: /./,
  },
  {
    name: 'an unknown message type',
    loggedIn: true,
    send: (r) => r.send('{"t":"hack"}'),
    code: 'bad_message',
    message: /^t:/,
  },
  {
    name: 'an unknown op',
    loggedIn: true,
    send: (r) => r.send(req({ op: 'party.delete', partyId: 'x' })),
    code: 'bad_message',
    message: /^op:/,
  },
  {
    name: 'a field of the wrong type',
    loggedIn: true,
    send: (r) =>
      r.send(req({ op: 'party.create', partyName: 42, memberName: 'x', member: memberInfo() })),
    code: 'bad_message',
    message: /^partyName:/,
  },
  {
    name: 'an unexpected extra field',
    loggedIn: true,
    send: (r) => r.send(req({ op: 'heartbeat', admin: true })),
    code: 'bad_message',
    message: /admin/,
  },
  {
    name: 'a hostname where a peer address must be an IP',
    loggedIn: true,
    send: (r) =>
      r.send(
        req({
          op: 'member.update',
          partyId: party.id,
          member: memberInfo({ publicEndpoint: 'evil.example:1' }),
        }),
      ),
    code: 'bad_message',
    message: /^member\.publicEndpoint:.*IPv4/,
  },
  {
    name: 'a request id out of range',
    loggedIn: true,
    send: (r) => r.send(JSON.stringify({ t: 'req', id: -1, op: 'heartbeat' })),
    code: 'bad_message',
    message: /^id:/,
  },
  {
    name: 'a request before auth',
    loggedIn: false,
    send: (r) => r.send(req({ op: 'party.leave', partyId: party.id })),
    code: 'unauthenticated',
    message: /authenticate/,
  },
  {
    name: 'a wrong proof',
    loggedIn: false,
    send: (r) =>
      r.send(
        JSON.stringify({
          t: 'auth',
          v: 1,
          publicKey: member.publicKey,
          proof: Buffer.alloc(32, 7).toString('base64'),
        }),
      ),
    code: 'unauthenticated',
    message: /proof/,
    closes: CONTROL_CLOSE.authFailed,
  },
  {
    name: 'a proof made with another key',
    loggedIn: false,
    send: (r, hello) => {
      const thief = generateKeyPair();
      const proof = authProof(
        thief.privateKey,
        hello.serverKey,
        hello.nonce,
        member.publicKey,
        hello.serverKey,
      );
      r.send(JSON.stringify({ t: 'auth', v: 1, publicKey: member.publicKey, proof }));
    },
    code: 'unauthenticated',
    message: /proof/,
    closes: CONTROL_CLOSE.authFailed,
  },
  {
    name: 'another protocol version',
    loggedIn: false,
    send: (r) =>
      r.send(JSON.stringify({ t: 'auth', v: 2, publicKey: member.publicKey, proof: 'x' })),
    code: 'unsupported_version',
    message: /version 2/,
    closes: CONTROL_CLOSE.unsupportedVersion,
  },
  {
    name: 'a second auth after logging in',
    loggedIn: true,
    send: (r) =>
      r.send(
        JSON.stringify({
          t: 'auth',
          v: 1,
          publicKey: member.publicKey,
          proof: Buffer.alloc(32).toString('base64'),
        }),
      ),
    code: 'bad_message',
    message: /already authenticated/,
  },
  {
    name: 'leaving a party one is not in',
    loggedIn: true,
    send: (r) => r.send(req({ op: 'party.leave', partyId: otherParty.id })),
    code: 'not_member',
    message: /^not a member of party [a-z0-9]{16}$/,
  },
  {
    name: 'updating oneself in another party',
    loggedIn: true,
    send: (r) => r.send(req({ op: 'member.update', partyId: otherParty.id, member: memberInfo() })),
    code: 'not_member',
    message: /not a member/,
  },
  {
    name: 'a route token for a member of another party',
    loggedIn: true,
    send: (r) =>
      r.send(req({ op: 'route.token', partyId: party.id, peer: outsiderKeys.publicKey })),
    code: 'unknown_peer',
    message: /not a member/,
  },
  {
    name: 'joining a second party',
    loggedIn: true,
    send: (r) =>
      r.send(
        req({
          op: 'party.join',
          inviteCode: otherParty.inviteCode,
          memberName: 'x',
          member: memberInfo(),
        }),
      ),
    code: 'already_in_party',
    message: /leave it first/,
  },
  {
    name: 'creating a party with a control character in its name',
    loggedIn: true,
    send: (r) =>
      r.send(
        req({ op: 'party.create', partyName: 'a\u0007b', memberName: 'x', member: memberInfo() }),
      ),
    code: 'bad_message',
    message: /control, bidirectional or invisible characters/,
  },
];

describe('bad messages', () => {
  it.each(CASES)('answers $name with $code and changes nothing', async (c) => {
    const before = await fingerprint();
    let raw: RawSocket;
    let hello: Extract<ServerMessage, { t: 'hello' }>;
    if (c.loggedIn) {
      raw = await rawLogin(server.wsUrl, member);
      hello = raw.messages[0] as typeof hello;
    } else {
      raw = await RawSocket.open(server.wsUrl);
      hello = (await raw.waitFor(1))[0] as typeof hello;
    }
    const seen = raw.messages.length;
    c.send(raw, hello);
    const answer = lastAnswer(await raw.waitFor(seen + 1));
    expect(answer.code).toBe(c.code);
    expect(answer.message).toMatch(c.message);
    if (c.closes !== undefined) expect((await raw.waitClosed()).code).toBe(c.closes);
    raw.close();
    expect(await fingerprint()).toBe(before);
  });

  it('answers a replayed proof on a new connection with unauthenticated', async () => {
    const first = await RawSocket.open(server.wsUrl);
    const [hello] = await first.waitFor(1);
    if (hello?.t !== 'hello') throw new Error('no hello');
    const auth = JSON.stringify({
      t: 'auth',
      v: 1,
      publicKey: member.publicKey,
      proof: authProof(
        member.privateKey,
        hello.serverKey,
        hello.nonce,
        member.publicKey,
        hello.serverKey,
      ),
    });
    first.send(auth);
    expect((await first.waitFor(2))[1]?.t).toBe('welcome');
    first.close();
    const replay = await RawSocket.open(server.wsUrl);
    await replay.waitFor(1);
    replay.send(auth);
    expect(lastAnswer(await replay.waitFor(2)).code).toBe('unauthenticated');
    expect((await replay.waitClosed()).code).toBe(CONTROL_CLOSE.authFailed);
  });

  it('answers too-frequent messages with rate_limited and carries on afterwards', async () => {
    const raw = await rawLogin(server.wsUrl, generateKeyPair());
    for (let i = 0; i < 12; i++) raw.send(JSON.stringify({ t: 'req', id: i, op: 'heartbeat' }));
    const answers = (await raw.waitFor(2 + 12)).slice(2);
    const codes = answers.map((m) => (m.t === 'res' ? (m.ok ? 'ok' : m.error.code) : m.t));
    // The auth used one token of the burst of 8.
    expect(codes).toEqual([...Array(7).fill('ok'), ...Array(5).fill('rate_limited')]);
    expect(answers.map((m) => (m.t === 'res' ? m.id : -1))).toEqual([...Array(12).keys()]);
    await new Promise((r) => setTimeout(r, 1_100));
    raw.send(JSON.stringify({ t: 'req', id: 99, op: 'heartbeat' }));
    expect((await raw.waitFor(15)).at(-1)).toMatchObject({ t: 'res', id: 99, ok: true });
    raw.close();
  });

  it('closes the connection (1009) on a frame far over the limit', async () => {
    const raw = await rawLogin(server.wsUrl, generateKeyPair());
    raw.send('x'.repeat(100_000));
    expect((await raw.waitClosed()).code).toBe(1009);
  });

  it('closes a connection that never authenticates', async () => {
    const quick = await startTestServer({ authTimeoutMs: 100 });
    const raw = await RawSocket.open(quick.wsUrl);
    expect((await raw.waitClosed()).code).toBe(CONTROL_CLOSE.authTimeout);
    await quick.close();
  });

  it('still serves a good client after all of it', async () => {
    const keys: KeyPair = generateKeyPair();
    const c = await connectedClient(server, keys);
    const { party: p } = await c.request('party.create', {
      partyName: 'fine',
      memberName: 'ok',
      member: memberInfo(),
    });
    expect(p.members[0]?.publicKey).toBe(keys.publicKey);
    await c.close();
  });
});
