import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authProof } from '../../src-common/crypto/control-auth.js';
import { generateKeyPair, type KeyPair } from '../../src-common/crypto/x25519.js';
import { mutate, randomBytes, seededRandom } from '../../src-shared/protocol/fuzz-bytes.js';
import type { Party } from '../../src-shared/protocol/control-messages.js';
import type { ControlServer } from './control-server.js';
import {
  connectedClient,
  eventually,
  memberInfo,
  RawSocket,
  rawLogin,
  startTestServer,
} from './test-support.js';

/**
 * Thousands of random and mutated frames from several sockets, logged in and not; the server
 * must answer each frame once (or close that socket), never crash, and then serve a good client.
 */

const SEED = 0x1a2b3c;
const SOCKETS = 6;
const FRAMES_PER_SOCKET = 1_000;
/** Frames sent before waiting for their answers. */
const BATCH = 50;

let server: ControlServer;
let party: Party;
const peer = generateKeyPair();

beforeAll(async () => {
  // Rate limits high enough that frames reach the parsers rather than the limiter.
  server = await startTestServer({ messageRatePerSecond: 100_000, messageBurst: 100_000 });
  const owner = await connectedClient(server, peer);
  party = (
    await owner.request('party.create', {
      partyName: 'fuzz',
      memberName: 'o',
      member: memberInfo(),
    })
  ).party;
  await owner.close();
});

afterAll(async () => {
  await server.close();
});

function templates(keys: KeyPair, nonce: string, serverKey: string): string[] {
  const proof = authProof(keys.privateKey, serverKey, nonce, keys.publicKey, serverKey);
  const r = (body: object) => JSON.stringify({ t: 'req', id: 3, ...body });
  return [
    JSON.stringify({ t: 'auth', v: 1, publicKey: keys.publicKey, proof }),
    r({ op: 'party.create', partyName: 'x', memberName: 'y', member: memberInfo() }),
    r({ op: 'party.join', inviteCode: party.inviteCode, memberName: 'y', member: memberInfo() }),
    r({ op: 'party.leave', partyId: party.id }),
    r({
      op: 'member.update',
      partyId: party.id,
      member: memberInfo({ localCandidates: ['10.0.0.1:1', '10.0.0.2:2'] }),
    }),
    r({
      op: 'signal',
      partyId: party.id,
      to: peer.publicKey,
      signal: { kind: 'punch', at: 5, attempt: 1 },
    }),
    r({ op: 'route.token', partyId: party.id, peer: peer.publicKey }),
    r({ op: 'relays.list' }),
    r({ op: 'heartbeat' }),
  ];
}

function replies(raw: RawSocket): number {
  return raw.messages.filter((m) => m.t === 'res' || m.t === 'error' || m.t === 'welcome').length;
}

interface Tally {
  sent: number;
  answered: number;
  closes: number[];
}

/** One socket's share of frames, in batches; reopens (and logs in again) whenever it is closed. */
async function fuzzSocket(loggedIn: boolean, budget: number, random: () => number, tally: Tally) {
  while (budget > 0) {
    const keys = generateKeyPair();
    const raw = loggedIn ? await rawLogin(server.wsUrl, keys) : await RawSocket.open(server.wsUrl);
    const [hello] = await raw.waitFor(1);
    if (hello?.t !== 'hello') throw new Error('no hello');
    const valid = templates(keys, hello.nonce, hello.serverKey);
    const base = replies(raw);
    let frames = 0;
    while (budget > 0 && !raw.closed) {
      for (let i = 0; i < BATCH && budget > 0; i++, budget--, frames++) {
        const template = Buffer.from(valid[Math.floor(random() * valid.length)]!);
        const pick = random();
        const bytes =
          pick < 0.15 ? randomBytes(random, 200) : pick < 0.9 ? mutate(random, template) : template;
        const kind = random();
        // Mostly text the parser must read (latin1 keeps any bytes valid UTF-8); a few binary
        // frames, and a few invalid UTF-8 ones that make ws close the socket (1007).
        if (kind < 0.03) raw.send(Buffer.from(bytes), true);
        else if (kind < 0.04) raw.send(Buffer.from([0x7b, 0xff, 0xfe, ...bytes]));
        else raw.send(Buffer.from(bytes).toString('latin1'));
      }
      await eventually(() => raw.closed !== null || replies(raw) - base >= frames, 10_000);
      // One answer per frame, never more, while the socket stays open.
      if (!raw.closed) expect(replies(raw) - base).toBe(frames);
    }
    tally.sent += frames;
    tally.answered += replies(raw) - base;
    if (raw.closed) tally.closes.push(raw.closed.code);
    raw.close();
  }
}

describe('control server fuzz', () => {
  it('answers thousands of random and mutated frames one by one and keeps serving', async () => {
    const random = seededRandom(SEED);
    const tally: Tally = { sent: 0, answered: 0, closes: [] };
    await Promise.all(
      Array.from({ length: SOCKETS }, (_, i) =>
        fuzzSocket(i % 3 !== 0, FRAMES_PER_SOCKET, random, tally),
      ),
    );
    expect(tally.sent).toBe(SOCKETS * FRAMES_PER_SOCKET);
    // Most frames reached the parser and were answered; the rest of a batch is lost when a
    // frame closes its socket (about one batch in two meets an invalid-UTF-8 or auth close).
    expect(tally.answered).toBeGreaterThan(tally.sent * 0.7);
    for (const code of tally.closes) expect([1007, 4002, 4003]).toContain(code);

    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    const alice = await connectedClient(server);
    const bob = await connectedClient(server);
    const created = await alice.request('party.create', {
      partyName: 'after',
      memberName: 'a',
      member: memberInfo(),
    });
    const joined = await bob.request('party.join', {
      inviteCode: created.party.inviteCode,
      memberName: 'b',
      member: memberInfo(),
    });
    expect(joined.party.members.map((m) => m.virtualIp)).toEqual(['10.66.0.1', '10.66.0.2']);
    await Promise.all([alice.close(), bob.close()]);
  });
});
