import { describe, expect, it } from 'vitest';
import { mutate, randomBytes, seededRandom } from './fuzz-bytes.js';
import {
  encodeRelayBindAckUnsigned,
  encodeRelayBindUnsigned,
  encodeRelayData,
  parseRelayFrame,
  RELAY_BIND_ACK_LENGTH,
  RELAY_BIND_LENGTH,
  RELAY_BIND_REFUSED_LENGTH,
  RELAY_CHALLENGE_LENGTH,
  RelayFrameType,
  encodeRelayChallengeUnsigned,
  encodeRelayBindRefusedUnsigned,
  RelayRefusal,
} from './relay-frames.js';
import { encodeRouteTokenBody, parseRouteToken, ROUTE_TOKEN_LENGTH } from './route-token.js';

const routeId = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
const token = new Uint8Array(ROUTE_TOKEN_LENGTH);
token.set(
  encodeRouteTokenBody({
    side: 1,
    routeId,
    expiresAt: 1_900_000_000,
    partyTag: new Uint8Array([9, 9, 9, 9]),
    memberTag: new Uint8Array([7, 7, 7, 7]),
  }),
);

describe('relay frames', () => {
  it('reads back a BIND with its token and counter', () => {
    const frame = encodeRelayBindUnsigned(token, 42n);
    expect(frame.length).toBe(RELAY_BIND_LENGTH);
    const result = parseRelayFrame(frame);
    expect(result.ok && result.value.type).toBe(RelayFrameType.Bind);
    if (result.ok && result.value.type === RelayFrameType.Bind) {
      expect([...result.value.token]).toEqual([...token]);
      expect(result.value.counter).toBe(42n);
      expect(result.value.macInput.length).toBe(RELAY_BIND_LENGTH - 16);
    }
  });

  it('answers a BIND with smaller frames only, so a relay never amplifies', () => {
    expect(RELAY_BIND_LENGTH).toBe(84);
    expect(RELAY_BIND_ACK_LENGTH).toBe(39);
    expect(RELAY_CHALLENGE_LENGTH).toBe(54);
    expect(RELAY_BIND_REFUSED_LENGTH).toBe(39);
    const result = parseRelayFrame(encodeRelayBindAckUnsigned(routeId, 9n, true));
    expect(
      result.ok && result.value.type === RelayFrameType.BindAck && result.value.peerBound,
    ).toBe(true);
  });

  it('reads back the cookie of a BIND, a CHALLENGE and a BIND_REFUSED', () => {
    const cookie = new Uint8Array(16).fill(5);
    const bind = parseRelayFrame(encodeRelayBindUnsigned(token, 3n, cookie));
    expect(bind.ok && bind.value.type === RelayFrameType.Bind && [...bind.value.cookie]).toEqual([
      ...cookie,
    ]);
    const challenge = parseRelayFrame(encodeRelayChallengeUnsigned(routeId, 3n, cookie));
    expect(
      challenge.ok &&
        challenge.value.type === RelayFrameType.Challenge && [
          challenge.value.counter,
          [...challenge.value.cookie],
        ],
    ).toEqual([3n, [...cookie]]);
    const refused = parseRelayFrame(
      encodeRelayBindRefusedUnsigned(routeId, 4n, RelayRefusal.PartyShare),
    );
    expect(
      refused.ok && refused.value.type === RelayFrameType.BindRefused && refused.value.reason,
    ).toBe(2);
  });

  it('carries a DATA payload unchanged', () => {
    const payload = new Uint8Array([4, 0, 0, 0, 9, 9, 9]);
    const result = parseRelayFrame(encodeRelayData(routeId, payload));
    expect(
      result.ok && result.value.type === RelayFrameType.Data && [...result.value.payload],
    ).toEqual([...payload]);
  });

  it.each([
    ['a frame with another magic', new Uint8Array([0xff, 0x4c, 0x52, 0x50, 1, 3]), 'bad magic'],
    ['a frame of a future version', new Uint8Array([0xff, 0x4c, 0x52, 0x52, 9, 3]), 'version 9'],
    ['an unknown type', new Uint8Array([0xff, 0x4c, 0x52, 0x52, 1, 7]), 'type 7'],
    [
      'a DATA frame without route id',
      new Uint8Array([0xff, 0x4c, 0x52, 0x52, 1, 3, 1]),
      'no route id',
    ],
    ['a short BIND', encodeRelayBindUnsigned(token, 1n).subarray(0, 50), 'expected 84'],
  ])('refuses %s', (_name, frame, reason) => {
    const result = parseRelayFrame(frame);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(reason);
  });

  it('refuses a route token with an impossible side', () => {
    const bad = new Uint8Array(token);
    bad[1] = 2;
    expect(parseRouteToken(bad)).toEqual({ ok: false, error: 'route token side 2 is not 0 or 1' });
  });

  it('never throws on random or mutated frames', () => {
    const random = seededRandom(7);
    const valid = [
      encodeRelayBindUnsigned(token, 1n),
      encodeRelayBindAckUnsigned(routeId, 1n, false),
      encodeRelayData(routeId, new Uint8Array(100)),
    ];
    for (let i = 0; i < 20_000; i++) {
      const input = i % 2 === 0 ? randomBytes(random, 80) : mutate(random, valid[i % 3]!);
      expect(() => parseRelayFrame(input)).not.toThrow();
      expect(() => parseRouteToken(input.subarray(0, ROUTE_TOKEN_LENGTH))).not.toThrow();
    }
  });
});
