import stun from 'stun';
import { afterEach, describe, expect, it } from 'vitest';
import { mutate, randomBytes, seededRandom } from '../../src-shared/protocol/fuzz-bytes.js';
import { answerBinding, type BindingContext } from './binding-answer.js';
import { startStunServer } from './stun-server.js';
import { openRawPeer } from './stun-test-helpers.js';

const { constants: C } = stun;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** Valid messages to mutate: requests the server answers, and messages it must not. */
function seeds(): Buffer[] {
  const plain = stun.createMessage(C.STUN_BINDING_REQUEST);
  const change = stun.createMessage(C.STUN_BINDING_REQUEST);
  change.addAttribute(C.STUN_ATTR_CHANGE_REQUEST, 0x6);
  const withSoftware = stun.createMessage(C.STUN_BINDING_REQUEST);
  withSoftware.addSoftware('fuzzer');
  withSoftware.addFingerprint();
  const response = stun.createMessage(C.STUN_BINDING_RESPONSE);
  response.addXorAddress('10.0.0.1', 4000);
  const indication = stun.createMessage(C.STUN_BINDING_INDICATION);
  return [plain, change, withSoftware, response, indication].map((m) => m.toBuffer());
}

/**
 * An oracle independent of the server's parser: the least a datagram must be for the server to
 * be allowed to answer it (a Binding request, RFC 5389 cookie, length that matches).
 */
function couldBeBindingRequest(data: Uint8Array): boolean {
  if (data.length < 20 || data[0] !== 0x00 || data[1] !== 0x01) return false;
  const length = (data[2]! << 8) | data[3]!;
  const cookie = [0x21, 0x12, 0xa4, 0x42].every((b, i) => data[4 + i] === b);
  return cookie && length % 4 === 0 && 20 + length === data.length;
}

function fuzzInputs(count: number, seed: number): Uint8Array[] {
  const random = seededRandom(seed);
  const valid = seeds();
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 3 === 0) out.push(randomBytes(random, 120));
    else {
      let packet: Uint8Array = valid[i % valid.length]!;
      for (let rounds = 1 + Math.floor(random() * 3); rounds > 0; rounds--)
        packet = mutate(random, packet);
      out.push(packet);
    }
  }
  return out;
}

describe('lanrage-stun under fuzzing', () => {
  it('answers only Binding requests among 30,000 random and mutated datagrams, and never throws', () => {
    const addresses = {
      pp: { host: '127.0.0.1', port: 3478 },
      pa: { host: '127.0.0.1', port: 3479 },
      ap: { host: '127.0.0.2', port: 3478 },
      aa: { host: '127.0.0.2', port: 3479 },
    };
    const ctx: BindingContext = {
      receivedOn: 'pp',
      from: { host: '192.0.2.7', port: 5555 },
      addresses,
      rfc5780: true,
      originKnown: true,
    };
    let replies = 0;
    let drops = 0;
    for (const input of fuzzInputs(30_000, 0x5eed)) {
      const answer = answerBinding(input, ctx);
      if (answer.kind === 'drop') {
        drops++;
        continue;
      }
      replies++;
      expect(couldBeBindingRequest(input)).toBe(true);
      // Same transaction, and a Binding success (0x0101) or error (0x0111) response.
      expect(
        Buffer.from(answer.bytes.subarray(8, 20)).equals(Buffer.from(input.subarray(8, 20))),
      ).toBe(true);
      expect([0x0101, 0x0111]).toContain(answer.bytes.readUInt16BE(0));
    }
    // The corpus reaches both branches, or it proves nothing.
    expect(replies).toBeGreaterThan(100);
    expect(drops).toBeGreaterThan(10_000);
  });

  it('stays up through 3,000 hostile datagrams on its sockets and then serves a good client', async () => {
    const server = await startStunServer({
      listen: { host: '127.0.0.1', port: 0 },
      alternate: { host: '127.0.0.2', port: 0 },
      // One attacker address sends everything; the limiter would hide the parser from the test.
      rateLimit: false,
    });
    cleanup.push(() => server.close());
    const attacker = await openRawPeer();
    cleanup.push(() => attacker.close());

    const inputs = fuzzInputs(3_000, 0xbad);
    // Mutants of one seed share its transaction id, so one id can name several datagrams.
    const sentByTxid = new Map<string, Uint8Array[]>();
    const targets = Object.values(server.sockets);
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i]!;
      if (input.length >= 20) {
        const key = Buffer.from(input.subarray(8, 20)).toString('hex');
        sentByTxid.set(key, [...(sentByTxid.get(key) ?? []), input]);
      }
      const to = targets[i % targets.length]!;
      await attacker.send(input, to.port, to.host);
      // Pace the flood so the loopback socket buffer keeps up: the test is about the parser.
      if (i % 100 === 99) await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 200));

    const stats = server.stats();
    expect(stats.received).toBeGreaterThan(2_900);
    expect(stats.malformed + stats.ignored).toBeGreaterThan(1_500);
    for (const { data } of attacker.received) {
      const requests = sentByTxid.get(data.subarray(8, 20).toString('hex')) ?? [];
      expect(requests.some(couldBeBindingRequest)).toBe(true);
    }
    expect(attacker.received.length).toBe(stats.answered + stats.errorResponses);

    const socket = (await openRawPeer()).socket;
    cleanup.push(() => new Promise((r) => socket.close(() => r())));
    const response = await stun.request(`stun://127.0.0.1:${server.primary.port}`, {
      socket,
      timeout: 200,
    });
    expect(response.getXorAddress()).toMatchObject({
      address: '127.0.0.1',
      port: socket.address().port,
    });
  });
});
