import { describe, expect, it } from 'vitest';
import { seededRandom } from './fuzz-bytes.js';
import {
  encodeRelayBindAckUnsigned,
  encodeRelayData,
  isRelayData,
  parseRelayFrame,
  relayDataPayload,
  relayFrameTypeOf,
  relayRouteKeyOf,
  RelayFrameType,
} from './relay-frames.js';

const routeId = Uint8Array.from([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]);

describe('relay frame readers (in place, for the per-packet paths)', () => {
  it('read a DATA frame as the full parser does', () => {
    const frame = encodeRelayData(routeId, Uint8Array.from([4, 0, 0, 0, 9]));
    expect(relayFrameTypeOf(frame)).toBe(RelayFrameType.Data);
    expect(isRelayData(frame)).toBe(true);
    expect(relayRouteKeyOf(frame)).toBe('0123456789abcdef');
    expect([...relayDataPayload(frame)]).toEqual([4, 0, 0, 0, 9]);
    const parsed = parseRelayFrame(frame);
    expect(parsed.ok && parsed.value.type === RelayFrameType.Data).toBe(true);
  });

  it('read the route of a BIND_ACK at the same offset', () => {
    const ack = encodeRelayBindAckUnsigned(routeId, 7n, true);
    expect(relayFrameTypeOf(ack)).toBe(RelayFrameType.BindAck);
    expect(isRelayData(ack)).toBe(false);
    expect(relayRouteKeyOf(ack)).toBe('0123456789abcdef');
  });

  it('say "not ours" for another version, a short frame or another magic', () => {
    const frame = encodeRelayData(routeId, new Uint8Array(0));
    const otherVersion = Uint8Array.from(frame);
    otherVersion[4] = 0x7f;
    expect(relayFrameTypeOf(otherVersion)).toBeNull();
    expect(isRelayData(frame.subarray(0, 13))).toBe(false);
    expect(relayFrameTypeOf(Uint8Array.from([4, 0, 0, 0, 1, 3]))).toBeNull();
  });

  it('never throw, and agree with the parser on which bytes are DATA', () => {
    const random = seededRandom(6);
    for (let i = 0; i < 5_000; i++) {
      const bytes = Uint8Array.from({ length: Math.floor(random() * 24) }, () =>
        Math.floor(random() * 256),
      );
      if (random() < 0.5)
        bytes.set(
          encodeRelayData(routeId, new Uint8Array(0)).subarray(0, Math.min(bytes.length, 6)),
        );
      const parsed = parseRelayFrame(bytes);
      expect(isRelayData(bytes)).toBe(parsed.ok && parsed.value.type === RelayFrameType.Data);
    }
  });
});
