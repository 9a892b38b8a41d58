import { afterEach, describe, expect, it } from 'vitest';
import {
  buildRelayBind as buildBindAt,
  verifyRelayAnswer,
  type RelayAnswer,
  type RelayRoute,
} from '../../src-main/core/relay/relay-frames-client.js';
import { mac16 } from '../../src-common/crypto/mac.js';
import {
  encodeRelayBindAckUnsigned,
  encodeRelayData,
  parseRelayFrame,
  RELAY_BIND_LENGTH,
  RELAY_MAC_LENGTH,
  RelayFrameType,
} from '../../src-shared/protocol/relay-frames.js';
import { startRelay, type RelayHandle, type RelayOptions } from './relay-server.js';
import type { DropReason } from './relay-stats.js';
import { generateKeyPair } from '../../src-common/crypto/x25519.js';
import { grantPair, openClient, TEST_SECRET, until, type TestClient } from './relay-test-kit.js';

/** Long enough for a loopback datagram to arrive if the relay were going to send one. */
const SILENCE_MS = 80;

let now = 1_800_000_000_000;
const clock = () => now;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function relayWith(options: Partial<RelayOptions> = {}): Promise<RelayHandle> {
  const relay = await startRelay({
    secret: TEST_SECRET,
    host: '127.0.0.1',
    now: clock,
    ...options,
  });
  cleanups.push(() => relay.close());
  return relay;
}

async function client(): Promise<TestClient> {
  const c = await openClient();
  cleanups.push(() => c.close());
  return c;
}

function pair(expiresInSeconds = 3600): [RelayRoute, RelayRoute] {
  return grantPair(TEST_SECRET, Math.floor(now / 1000) + expiresInSeconds);
}

/**
 * BIND counters are timestamps in microseconds of the relay's clock; tests name them by a small
 * offset `n` from the fake clock's current millisecond.
 */
const at = (n: bigint) => BigInt(now) * 1000n + n;
const buildRelayBind = (route: RelayRoute, n: bigint, cookie: Buffer | null = null) =>
  buildBindAt(route, at(n), cookie);

/** Sends a BIND and returns the relay's verified answer, its counter as the offset again. */
async function answerTo(
  relay: RelayHandle,
  c: TestClient,
  route: RelayRoute,
  n: bigint,
  cookie: Buffer | null = null,
): Promise<RelayAnswer> {
  await c.send(buildRelayBind(route, n, cookie), relay.port);
  const answer = verifyRelayAnswer(route, await c.next());
  if (!answer.ok) throw new Error(answer.error);
  return { ...answer.value, counter: answer.value.counter - at(0n) };
}

/** BINDs (answering the relay's CHALLENGE if it sends one) and returns the verified ACK. */
async function bind(relay: RelayHandle, c: TestClient, route: RelayRoute, n: bigint) {
  let answer = await answerTo(relay, c, route, n);
  if (answer.kind === 'challenge') answer = await answerTo(relay, c, route, n, answer.cookie);
  if (answer.kind !== 'ack') throw new Error(`expected a BIND_ACK, got ${answer.kind}`);
  return { counter: answer.counter, peerBound: answer.peerBound };
}

/** Sends and waits until the relay has processed the datagram. */
async function sendAndSettle(relay: RelayHandle, c: TestClient, frame: Buffer): Promise<void> {
  const before = relay.stats.packetsIn;
  await c.send(frame, relay.port);
  await until(() => relay.stats.packetsIn > before, 5000, 'the relay to receive');
}

async function boundPair(relay: RelayHandle) {
  const [routeA, routeB] = pair();
  const a = await client();
  const b = await client();
  await bind(relay, a, routeA, 1n);
  await bind(relay, b, routeB, 1n);
  return { a, b, routeA, routeB };
}

const silence = () => new Promise((resolve) => setTimeout(resolve, SILENCE_MS));

describe('relay forwarding', () => {
  it('forwards DATA both ways with the bytes unchanged', async () => {
    const relay = await relayWith();
    const { a, b, routeA, routeB } = await boundPair(relay);
    const toB = Buffer.from(encodeRelayData(routeA.routeId, Buffer.from('hello from side 0')));
    const toA = Buffer.from(encodeRelayData(routeB.routeId, Buffer.alloc(1400, 0xab)));
    await a.send(toB, relay.port);
    expect(await b.next()).toEqual(toB);
    await b.send(toA, relay.port);
    expect(await a.next()).toEqual(toA);
    expect(relay.stats.forwardedPackets).toBe(2);
    expect(relay.stats.forwardedBytes).toBe(toB.length + toA.length);
    expect(relay.stats.routesActive).toBe(1);
  });

  it('acknowledges a BIND, echoing the counter and saying whether the other side is bound', async () => {
    const relay = await relayWith();
    const [routeA, routeB] = pair();
    const a = await client();
    const b = await client();
    expect(await bind(relay, a, routeA, 7n)).toEqual({ counter: 7n, peerBound: false });
    expect(await bind(relay, b, routeB, 3n)).toEqual({ counter: 3n, peerBound: true });
    expect(await bind(relay, a, routeA, 8n)).toEqual({ counter: 8n, peerBound: true });
    expect(relay.stats.bindsAccepted).toBe(3);
    expect(relay.stats.routesCreated).toBe(1);
  });

  it('follows a side that rebinds from a new address and refuses its old one', async () => {
    const relay = await relayWith();
    const { a, b, routeA, routeB } = await boundPair(relay);
    const moved = await client();
    await bind(relay, moved, routeA, 2n);
    const toA = Buffer.from(
      encodeRelayData(routeB.routeId, Buffer.from('after the NAT rebinding')),
    );
    await b.send(toA, relay.port);
    expect(await moved.next()).toEqual(toA);
    await sendAndSettle(
      relay,
      a,
      Buffer.from(encodeRelayData(routeA.routeId, Buffer.from('stale'))),
    );
    expect(relay.stats.drops['unbound-source']).toBe(1);
    await silence();
    expect(b.received).toHaveLength(2); // its own CHALLENGE and BIND_ACK only
    expect(a.received).toHaveLength(2);
    expect(relay.stats.rebinds).toBe(1);
  });

  it('expires a route once it has been idle for the idle timeout', async () => {
    const relay = await relayWith({ idleTimeoutMs: 10_000 });
    const { a, b, routeA } = await boundPair(relay);
    const data = Buffer.from(encodeRelayData(routeA.routeId, Buffer.from('keepalive')));
    for (let i = 0; i < 3; i++) {
      now += 8_000;
      await a.send(data, relay.port);
      await b.next();
      relay.sweep();
    }
    expect(relay.stats.routesActive).toBe(1);
    now += 8_000;
    relay.sweep();
    expect(relay.stats.routesActive).toBe(1);
    now += 2_000;
    relay.sweep();
    expect(relay.stats.routesActive).toBe(0);
    expect(relay.stats.routesExpired).toBe(1);
    await sendAndSettle(relay, a, data);
    expect(relay.stats.drops['unknown-route']).toBe(1);
  });

  it('refuses an old BIND replayed after its route expired, while a newer one recreates it', async () => {
    const relay = await relayWith({ idleTimeoutMs: 10_000 });
    const { a, routeA } = await boundPair(relay);
    const recorded = buildRelayBind(routeA, 1n);
    now += 5_000;
    relay.sweep();
    now += 10_000;
    relay.sweep();
    expect(relay.stats.routesActive).toBe(0);
    const thief = await client();
    await sendAndSettle(relay, thief, recorded);
    expect(relay.stats.drops['replayed-bind']).toBe(1);
    expect(relay.stats.routesActive).toBe(0);
    await silence();
    expect(thief.received).toHaveLength(0);
    expect(await bind(relay, a, routeA, 2n)).toEqual({ counter: 2n, peerBound: false });
    expect(relay.stats.routesActive).toBe(1);
    expect(relay.stats.routesCreated).toBe(2);
  });

  it('unbinds a side when its token expires, until it binds with a fresh one', async () => {
    const relay = await relayWith();
    const members = { a: generateKeyPair().publicKey, b: generateKeyPair().publicKey };
    const [routeA, routeB] = grantPair(TEST_SECRET, Math.floor(now / 1000) + 30, members);
    const a = await client();
    const b = await client();
    await bind(relay, a, routeA, 1n);
    await bind(relay, b, routeB, 1n);
    now += 31_000;
    relay.sweep();
    const data = Buffer.from(encodeRelayData(routeA.routeId, Buffer.from('x')));
    await sendAndSettle(relay, a, data);
    expect(relay.stats.drops['unbound-source']).toBe(1);
    await sendAndSettle(relay, a, buildRelayBind(routeA, 2n));
    expect(relay.stats.drops['token-expired']).toBe(1);
    const [freshA] = grantPair(TEST_SECRET, Math.floor(now / 1000) + 3600, members);
    expect(freshA.routeId).toEqual(routeA.routeId);
    expect(await bind(relay, a, freshA, 3n)).toEqual({ counter: 3n, peerBound: false });
    await a.send(data, relay.port);
    await sendAndSettle(relay, a, data);
    expect(relay.stats.drops['peer-not-bound']).toBe(2);
    expect(b.received).toHaveLength(2);
  });

  it('tells a proven, authorised client that it is full instead of staying silent', async () => {
    const relay = await relayWith({ maxRoutes: 1 });
    await boundPair(relay);
    const [other] = pair();
    const c = await client();
    const challenge = await answerTo(relay, c, other, 1n);
    expect(challenge.kind).toBe('challenge');
    if (challenge.kind !== 'challenge') return;
    const refusal = await answerTo(relay, c, other, 1n, challenge.cookie);
    expect(refusal).toEqual({ kind: 'refused', counter: 1n, reason: 'full' });
    expect(relay.stats.drops['route-limit']).toBe(1);
    expect(relay.stats.refusalsSent).toBe(1);
  });

  it('holds a party to its share of the table and says so', async () => {
    const relay = await relayWith({ maxRoutes: 100 });
    // partyShare(100) = 5 routes per party.
    const c = await client();
    const members = () => ({ a: generateKeyPair().publicKey, b: generateKeyPair().publicKey });
    const expiry = Math.floor(now / 1000) + 3600;
    for (let i = 0; i < 5; i++) {
      const [route] = grantPair(TEST_SECRET, expiry, members(), 'partyfilling0000');
      expect((await bind(relay, c, route, BigInt(i))).peerBound).toBe(false);
    }
    const [sixth] = grantPair(TEST_SECRET, expiry, members(), 'partyfilling0000');
    const challenge = await answerTo(relay, c, sixth, 9n);
    if (challenge.kind !== 'challenge') throw new Error('expected a CHALLENGE');
    expect(await answerTo(relay, c, sixth, 9n, challenge.cookie)).toEqual({
      kind: 'refused',
      counter: 9n,
      reason: 'party-share',
    });
    // Another party still gets its routes.
    const [elsewhere] = grantPair(TEST_SECRET, expiry, members(), 'anotherparty0000');
    expect((await bind(relay, c, elsewhere, 10n)).peerBound).toBe(false);
  });
});

describe('relay replay protection', () => {
  it('refuses, without a reply, a genuine BIND recorded more than two minutes ago, even on a fresh relay', async () => {
    const relay = await relayWith();
    const [routeA] = pair();
    const thief = await client();
    const recorded = buildBindAt(routeA, BigInt(now - 121_000) * 1000n);
    await sendAndSettle(relay, thief, recorded);
    expect(relay.stats.drops['stale-bind']).toBe(1);
    await silence();
    expect(thief.received).toHaveLength(0);
    // One recorded a second ago is not stale, but from a new address it only draws a CHALLENGE:
    // the recorder cannot answer it without the side key.
    const fresh = buildBindAt(routeA, BigInt(now - 1_000) * 1000n);
    await thief.send(fresh, relay.port);
    const answer = verifyRelayAnswer(routeA, await thief.next());
    expect(answer.ok && answer.value.kind).toBe('challenge');
    expect(relay.stats.routesActive).toBe(0);
  });
});

describe('relay refusals', () => {
  interface Case {
    name: string;
    reason: DropReason;
    /** The frame to send, given a bound pair; sent from `from` ('a' = side 0's address). */
    frame: (p: { routeA: RelayRoute; routeB: RelayRoute }) => Buffer;
    from: 'a' | 'stranger';
  }
  const past = () => Math.floor(now / 1000) - 1;
  const cases: Case[] = [
    {
      name: 'a BIND with no token (zeros)',
      reason: 'bad-token',
      frame: ({ routeA }) => buildRelayBind({ ...routeA, token: Buffer.alloc(38) }, 5n),
      from: 'stranger',
    },
    {
      name: 'a BIND whose token tag is wrong',
      reason: 'bad-token',
      frame: ({ routeA }) => {
        const token = Buffer.from(routeA.token);
        token[37]! ^= 1;
        return buildRelayBind({ ...routeA, token }, 5n);
      },
      from: 'stranger',
    },
    {
      name: 'a BIND with an expired token',
      reason: 'token-expired',
      frame: () => buildRelayBind(grantPair(TEST_SECRET, past())[0], 1n),
      from: 'stranger',
    },
    {
      name: "a BIND MACed with the other side's key",
      reason: 'bad-bind-mac',
      frame: ({ routeA, routeB }) => buildRelayBind({ ...routeA, sideKey: routeB.sideKey }, 5n),
      from: 'stranger',
    },
    {
      name: 'a replayed BIND (same counter)',
      reason: 'replayed-bind',
      frame: ({ routeA }) => buildRelayBind(routeA, 1n),
      from: 'stranger',
    },
    {
      name: 'a BIND with an older counter',
      reason: 'replayed-bind',
      frame: ({ routeA }) => buildRelayBind(routeA, 0n),
      from: 'a',
    },
    {
      name: 'DATA before any BIND of its route',
      reason: 'unknown-route',
      frame: () => Buffer.from(encodeRelayData(pair()[0].routeId, Buffer.from('early'))),
      from: 'stranger',
    },
    {
      name: 'DATA from a third address',
      reason: 'unbound-source',
      frame: ({ routeA }) => Buffer.from(encodeRelayData(routeA.routeId, Buffer.from('intruder'))),
      from: 'stranger',
    },
    {
      name: 'a frame of another protocol version',
      reason: 'bad-version',
      frame: ({ routeA }) => {
        const frame = Buffer.from(encodeRelayData(routeA.routeId, Buffer.from('v2')));
        frame[4] = 2;
        return frame;
      },
      from: 'a',
    },
    {
      name: 'a truncated BIND',
      reason: 'truncated',
      frame: ({ routeA }) => buildRelayBind(routeA, 9n).subarray(0, RELAY_BIND_LENGTH - 1),
      from: 'a',
    },
    {
      name: 'a DATA frame cut inside its route id',
      reason: 'truncated',
      frame: ({ routeA }) =>
        Buffer.from(encodeRelayData(routeA.routeId, Buffer.alloc(0))).subarray(0, 10),
      from: 'a',
    },
    {
      name: 'a BIND_ACK sent to the relay',
      reason: 'unknown-type',
      frame: ({ routeA }) => {
        const ack = Buffer.from(encodeRelayBindAckUnsigned(routeA.routeId, 1n, true));
        mac16(routeA.sideKey, ack.subarray(0, ack.length - RELAY_MAC_LENGTH)).copy(
          ack,
          ack.length - 16,
        );
        return ack;
      },
      from: 'a',
    },
    {
      name: 'a datagram that is not a relay frame',
      reason: 'not-relay-frame',
      frame: () => Buffer.from([1, 0, 0, 0, 9, 9, 9, 9]),
      from: 'stranger',
    },
  ];

  it.each(cases)('drops $name without a reply and counts it as $reason', async (c) => {
    const relay = await relayWith();
    const { a, b, routeA, routeB } = await boundPair(relay);
    const stranger = await client();
    const dropsBefore = relay.stats.droppedPackets;
    await sendAndSettle(relay, c.from === 'a' ? a : stranger, c.frame({ routeA, routeB }));
    expect(relay.stats.drops[c.reason]).toBe(1);
    expect(relay.stats.droppedPackets).toBe(dropsBefore + 1);
    await silence();
    expect(stranger.received).toHaveLength(0);
    expect(a.received).toHaveLength(2); // its CHALLENGE and BIND_ACK
    expect(b.received).toHaveLength(2);
    // The route still works for its rightful sides.
    const data = Buffer.from(encodeRelayData(routeA.routeId, Buffer.from('still fine')));
    await a.send(data, relay.port);
    expect(await b.next()).toEqual(data);
  });

  it('drops DATA from a bound side while the other side has not bound', async () => {
    const relay = await relayWith();
    const [routeA] = pair();
    const a = await client();
    await bind(relay, a, routeA, 1n);
    await sendAndSettle(
      relay,
      a,
      Buffer.from(encodeRelayData(routeA.routeId, Buffer.from('anyone there?'))),
    );
    expect(relay.stats.drops['peer-not-bound']).toBe(1);
    await silence();
    expect(a.received).toHaveLength(2);
  });
});

describe('relay rate limits', () => {
  it('drops packets from a source beyond its budget and refills it with time', async () => {
    const relay = await relayWith({ sourceRate: { packetsPerSecond: 10, burst: 6 } });
    const [routeA, routeB] = pair();
    const a = await client();
    // Another source IP (all of 127/8 is loopback on Linux): budgets are per source address.
    const b = await openClient('127.0.0.2');
    cleanups.push(() => b.close());
    await bind(relay, a, routeA, 1n);
    await bind(relay, b, routeB, 1n);
    const data = Buffer.from(encodeRelayData(routeA.routeId, Buffer.from('flood')));
    const start = relay.stats.packetsIn;
    for (let i = 0; i < 20; i++) await a.send(data, relay.port);
    await until(() => relay.stats.packetsIn === start + 20, 5000, 'the flood');
    // Burst 6, two tokens spent on the BIND and its answer to the CHALLENGE: four DATA pass.
    expect(relay.stats.forwardedPackets).toBe(4);
    expect(relay.stats.drops['rate-limited']).toBe(16);
    await until(() => b.received.length === 6, 5000, 'the forwarded frames');
    now += 1000;
    await sendAndSettle(relay, a, data);
    expect(relay.stats.forwardedPackets).toBe(5);
  });

  it('limits BINDs per source before doing any crypto', async () => {
    // Burst 3: the first BIND and its answer to the CHALLENGE, then one re-BIND.
    const relay = await relayWith({ bindRate: { packetsPerSecond: 1, burst: 3 } });
    const [routeA] = pair();
    const a = await client();
    await bind(relay, a, routeA, 1n);
    await bind(relay, a, routeA, 2n);
    await sendAndSettle(relay, a, buildRelayBind(routeA, 3n));
    // A forged BIND is refused by the budget, not by its bad token: no HMAC was spent on it.
    await sendAndSettle(relay, a, buildRelayBind({ ...routeA, token: Buffer.alloc(38, 7) }, 4n));
    expect(relay.stats.drops['bind-rate-limited']).toBe(2);
    expect(relay.stats.drops['bad-token']).toBe(0);
    now += 1000;
    expect(await bind(relay, a, routeA, 5n)).toEqual({ counter: 5n, peerBound: false });
  });
});

describe('relay amplification', () => {
  it('never sends an address more bytes than the datagram that caused it', async () => {
    const relay = await relayWith();
    const { a, b, routeA, routeB } = await boundPair(relay);
    const stranger = await client();
    const replayedBind = buildRelayBind(routeB, 1n);
    for (let i = 0; i < 50; i++) {
      const size = (i * 37) % 1400;
      await a.send(Buffer.from(encodeRelayData(routeA.routeId, Buffer.alloc(size, i))), relay.port);
      await b.send(
        Buffer.from(encodeRelayData(routeB.routeId, Buffer.alloc(1400 - size, i))),
        relay.port,
      );
      await a.send(buildRelayBind(routeA, BigInt(10 + i)), relay.port);
      await stranger.send(replayedBind, relay.port);
      await stranger.send(Buffer.alloc(i * 20, 0xff), relay.port);
    }
    await until(() => relay.stats.packetsIn === 4 + 250, 5000, 'all datagrams');
    await until(() => a.received.length === 2 + 50 + 50, 5000, 'all of A’s datagrams');
    await until(() => b.received.length === 2 + 50, 5000, 'all of B’s datagrams');
    await silence();
    expect(stranger.received).toHaveLength(0);
    const clients: [TestClient, RelayRoute][] = [
      [a, routeA],
      [b, routeB],
    ];
    for (const [c, route] of clients) {
      for (const got of c.received) {
        const answer = verifyRelayAnswer(route, got);
        if (answer.ok) {
          // An answer (ACK or CHALLENGE) is to this client's own BIND with that counter, and is
          // smaller than it.
          const trigger = c.sent.find((s) => {
            const sent = parseRelayFrame(s);
            return (
              sent.ok &&
              sent.value.type === RelayFrameType.Bind &&
              sent.value.counter === answer.value.counter
            );
          });
          expect(trigger).toBeDefined();
          expect(got.length).toBeLessThanOrEqual(trigger!.length);
        } else {
          // Anything else is a forwarded frame: byte-for-byte one the other side sent.
          const other = c === a ? b : a;
          expect(other.sent.some((s) => s.equals(got))).toBe(true);
        }
      }
    }
    expect(relay.stats.bytesOut).toBeLessThanOrEqual(relay.stats.bytesIn);
    expect(relay.stats.packetsOut).toBeLessThanOrEqual(relay.stats.packetsIn);
  });
});
