import { describe, expect, it } from 'vitest';
import { classifyPacket } from './packet-kind.js';
import { encodeProbeUnsigned, ProbeType } from './probe-packets.js';
import { encodeRelayData } from './relay-frames.js';
import { randomBytes, seededRandom } from './fuzz-bytes.js';

const stunBinding = new Uint8Array([0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42, ...new Uint8Array(12)]);

describe('classifyPacket', () => {
  it.each([
    ['a WireGuard handshake initiation', new Uint8Array([1, 0, 0, 0, 5, 5]), 'wireguard'],
    ['a WireGuard data message', new Uint8Array([4, 0, 0, 0, 1, 2, 3]), 'wireguard'],
    ['a STUN binding request', stunBinding, 'stun'],
    ['a relay frame', encodeRelayData(new Uint8Array(8), new Uint8Array(3)), 'relay'],
    [
      'a probe',
      encodeProbeUnsigned(ProbeType.Ping, new Uint8Array(8), new Uint8Array(8), null),
      'probe',
    ],
    ['a WireGuard-like type 5', new Uint8Array([5, 0, 0, 0]), 'unknown'],
    ['a type 1 with nonzero reserved bytes', new Uint8Array([1, 0, 1, 0]), 'unknown'],
    ['STUN without the magic cookie', new Uint8Array(20), 'unknown'],
    ['three bytes', new Uint8Array([1, 0, 0]), 'unknown'],
  ])('calls %s %s', (_name, packet, kind) => {
    expect(classifyPacket(packet)).toBe(kind);
  });

  it('never throws on random datagrams', () => {
    const random = seededRandom(3);
    for (let i = 0; i < 10_000; i++)
      expect(() => classifyPacket(randomBytes(random, 64))).not.toThrow();
  });
});
