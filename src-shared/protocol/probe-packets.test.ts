import { describe, expect, it } from 'vitest';
import { mutate, randomBytes, seededRandom } from './fuzz-bytes.js';
import { encodeProbeUnsigned, parseProbe, PROBE_LENGTH, ProbeType } from './probe-packets.js';

const sender = new Uint8Array(8).fill(7);
const tx = new Uint8Array(8).fill(9);

describe('probe packets', () => {
  it('reads back a ping', () => {
    const result = parseProbe(encodeProbeUnsigned(ProbeType.Ping, sender, tx, null));
    expect(result.ok && result.value.type).toBe(ProbeType.Ping);
    expect(result.ok && result.value.observed).toBeNull();
  });

  it('reads back the address a pong saw', () => {
    const observed = { family: 4 as const, port: 51820, address: new Uint8Array([198, 18, 0, 5]) };
    const result = parseProbe(encodeProbeUnsigned(ProbeType.Pong, sender, tx, observed));
    expect(result.ok && result.value.observed?.port).toBe(51820);
    expect(result.ok && [...(result.value.observed?.address ?? [])]).toEqual([198, 18, 0, 5]);
  });

  it('makes pings and pongs the same size, so an answer never amplifies', () => {
    const ping = encodeProbeUnsigned(ProbeType.Ping, sender, tx, null);
    const pong = encodeProbeUnsigned(ProbeType.Pong, sender, tx, {
      family: 6,
      port: 1,
      address: new Uint8Array(16),
    });
    expect(ping.length).toBe(PROBE_LENGTH);
    expect(pong.length).toBe(PROBE_LENGTH);
  });

  it.each([
    [
      'a short probe',
      encodeProbeUnsigned(ProbeType.Ping, sender, tx, null).subarray(0, 40),
      'expected 57',
    ],
    [
      'a ping that claims an observed address',
      (() => {
        const p = encodeProbeUnsigned(ProbeType.Ping, sender, tx, null);
        p[22] = 4;
        return p;
      })(),
      'carries no observed address',
    ],
    [
      'an unknown probe type',
      (() => {
        const p = encodeProbeUnsigned(ProbeType.Ping, sender, tx, null);
        p[5] = 3;
        return p;
      })(),
      'type 3',
    ],
  ])('refuses %s', (_name, packet, reason) => {
    const result = parseProbe(packet);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(reason);
  });

  it('never throws on random or mutated probes', () => {
    const random = seededRandom(11);
    const valid = encodeProbeUnsigned(ProbeType.Ping, sender, tx, null);
    for (let i = 0; i < 20_000; i++) {
      const input = i % 2 === 0 ? randomBytes(random, 70) : mutate(random, valid);
      expect(() => parseProbe(input)).not.toThrow();
    }
  });
});
