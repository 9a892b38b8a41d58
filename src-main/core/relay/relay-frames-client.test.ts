import { describe, expect, it } from 'vitest';
import { mac16 } from '../../../src-common/crypto/mac.js';
import { signRelayFrame } from '../../../src-common/crypto/relay-frame-mac.js';
import { generateKeyPair } from '../../../src-common/crypto/x25519.js';
import { issueRouteGrant } from '../../../src-server/common/route-token-crypto.js';
import {
  encodeRelayBindAckUnsigned,
  encodeRelayBindRefusedUnsigned,
  encodeRelayChallengeUnsigned,
  encodeRelayData,
  isRelayData,
  parseRelayFrame,
  relayDataPayload,
  relayRouteKeyOf,
  RelayRefusal,
  RELAY_BIND_LENGTH,
  RelayFrameType,
} from '../../../src-shared/protocol/relay-frames.js';
import {
  buildRelayBind,
  relayDataHeaderOf,
  relayRouteFromGrant,
  RelayBindCounter,
  verifyRelayAnswer,
  type RelayRoute,
} from './relay-frames-client.js';

const SECRET = Buffer.from('client-test-secret-0123456789', 'utf8');
const EXPIRES = 2_000_000_000;

function grant() {
  return issueRouteGrant(
    SECRET,
    'party0000000000b',
    generateKeyPair().publicKey,
    generateKeyPair().publicKey,
    EXPIRES,
  );
}

function route(): RelayRoute {
  const result = relayRouteFromGrant(grant());
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

/** A relay frame signed as a relay signs it, with `key`. */
function signed(frame: Uint8Array, key: Uint8Array): Buffer {
  const out = Buffer.from(frame);
  signRelayFrame(out, key);
  return out;
}

/** What a relay would answer, MACed with `key`. */
function ack(routeId: Uint8Array, counter: bigint, peerBound: boolean, key: Uint8Array): Buffer {
  return signed(encodeRelayBindAckUnsigned(routeId, counter, peerBound), key);
}

describe('relay frames (client side)', () => {
  it('decodes a grant into the bytes of its token, side key and route id', () => {
    const g = grant();
    const r = relayRouteFromGrant(g);
    expect(r.ok && r.value.routeId.toString('hex')).toBe(g.routeId);
    expect(r.ok && r.value.token.length).toBe(38);
    expect(r.ok && r.value.sideKey.length).toBe(32);
    expect(r.ok && r.value.side).toBe(g.side);
  });

  it.each([
    ['a short route id', { routeId: 'abcd' }, /route id/],
    ['a token of the wrong size', { token: Buffer.alloc(37).toString('base64') }, /token/],
    ['a token in sloppy base64', { token: 'not base64!!' }, /token/],
    ['a short side key', { sideKey: Buffer.alloc(16).toString('base64') }, /side key/],
    ['a route id the token does not name', { routeId: '0000000000000000' }, /does not match/],
  ])('refuses a grant with %s', (_name, change, error) => {
    const result = relayRouteFromGrant({ ...grant(), ...change });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(error);
  });

  it('builds an 84-byte BIND the shared frame parser reads back, MACed with the side key', () => {
    const r = route();
    const frame = buildRelayBind(r, 42n);
    expect(frame.length).toBe(RELAY_BIND_LENGTH);
    const back = parseRelayFrame(frame);
    expect(back.ok && back.value.type).toBe(RelayFrameType.Bind);
    if (!back.ok || back.value.type !== RelayFrameType.Bind) return;
    expect(back.value.counter).toBe(42n);
    expect(Buffer.from(back.value.token)).toEqual(r.token);
    expect(Buffer.from(back.value.mac)).toEqual(mac16(r.sideKey, back.value.macInput));
  });

  it('accepts a BIND_ACK for its route MACed with its side key, and refuses others', () => {
    const r = route();
    const other = route();
    expect(verifyRelayAnswer(r, ack(r.routeId, 9n, true, r.sideKey))).toEqual({
      ok: true,
      value: { kind: 'ack', counter: 9n, peerBound: true },
    });
    expect(verifyRelayAnswer(r, ack(r.routeId, 9n, true, other.sideKey)).ok).toBe(false);
    expect(verifyRelayAnswer(r, ack(other.routeId, 9n, true, r.sideKey)).ok).toBe(false);
    expect(verifyRelayAnswer(r, buildRelayBind(r, 1n)).ok).toBe(false);
  });

  it('reads a CHALLENGE and a BIND_REFUSED MACed with its side key, and refuses forged ones', () => {
    const r = route();
    const other = route();
    const cookie = Buffer.alloc(16, 3);
    expect(
      verifyRelayAnswer(r, signed(encodeRelayChallengeUnsigned(r.routeId, 5n, cookie), r.sideKey)),
    ).toEqual({ ok: true, value: { kind: 'challenge', counter: 5n, cookie } });
    expect(
      verifyRelayAnswer(
        r,
        signed(encodeRelayChallengeUnsigned(r.routeId, 5n, cookie), other.sideKey),
      ).ok,
    ).toBe(false);
    expect(
      verifyRelayAnswer(
        r,
        signed(encodeRelayBindRefusedUnsigned(r.routeId, 6n, RelayRefusal.Full), r.sideKey),
      ),
    ).toEqual({ ok: true, value: { kind: 'refused', counter: 6n, reason: 'full' } });
    // A BIND echoed back carries the cookie it was given.
    const withCookie = parseRelayFrame(buildRelayBind(r, 7n, cookie));
    expect(
      withCookie.ok &&
        withCookie.value.type === RelayFrameType.Bind && [...withCookie.value.cookie],
    ).toEqual([...cookie]);
  });

  it('sends the shared DATA header for its route, which the in-place readers read back', () => {
    const g = grant();
    const r = relayRouteFromGrant(g);
    if (!r.ok) throw new Error(r.error);
    const { routeId } = r.value;
    const payload = Buffer.from('a WireGuard message');
    const frame = encodeRelayData(routeId, payload);
    const header = relayDataHeaderOf(routeId);
    expect(header.toString('hex')).toBe(`ff4c52520103${g.routeId}`);
    expect(relayDataHeaderOf(routeId)).toBe(header); // built once per route, not per packet
    expect(Buffer.concat([header, payload])).toEqual(Buffer.from(frame));
    expect(isRelayData(frame)).toBe(true);
    expect(relayRouteKeyOf(frame)).toBe(g.routeId);
    expect(Buffer.from(relayDataPayload(frame)).toString()).toBe('a WireGuard message');
    expect(relayRouteKeyOf(encodeRelayData(route().routeId, payload))).not.toBe(g.routeId);
    expect(isRelayData(frame.subarray(0, 13))).toBe(false);
    expect(isRelayData(buildRelayBind(r.value, 1n))).toBe(false);
  });

  it('never throws on random or mutated input to its parsers', () => {
    const r = route();
    const good = [
      ack(r.routeId, 1n, false, r.sideKey),
      encodeRelayData(r.routeId, Buffer.from('x')),
    ];
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      let data: Buffer;
      if (i % 2 === 0) {
        data = Buffer.from(Array.from({ length: rand(80) }, () => rand(256)));
      } else {
        data = Buffer.from(good[rand(2)]!);
        data[rand(data.length)]! ^= 1 + rand(255);
      }
      expect(() => verifyRelayAnswer(r, data)).not.toThrow();
      expect(
        () => isRelayData(data) && relayRouteKeyOf(data) + relayDataPayload(data).length,
      ).not.toThrow();
      if (verifyRelayAnswer(r, data).ok) accepted++;
    }
    // A mutated ACK (or one turned into a CHALLENGE or BIND_REFUSED) passes only with a forged MAC.
    expect(accepted).toBe(0);
  });

  it('counts BINDs upward from the clock, strictly, even within one millisecond or after a restart', () => {
    let now = 1_700_000_000_000;
    const counter = new RelayBindCounter(() => now);
    const first = counter.next();
    expect(counter.next()).toBe(first + 1n);
    now += 1;
    expect(counter.next()).toBe(BigInt(now) * 1000n);
    const restarted = new RelayBindCounter(() => now);
    expect(restarted.next()).toBeGreaterThan(first);
  });
});
