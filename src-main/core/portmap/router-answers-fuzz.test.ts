import { describe, expect, it } from 'vitest';
import { decodeExternalAddressAnswer, decodeMapUdpAnswer } from './nat-pmp-codec.js';
import { decodeMapAnswer } from './pcp-codec.js';
import { parseSearchAnswer } from './ssdp-search.js';
import { soapValue, wanService } from './upnp-description.js';

/**
 * Every parser of what a router sends, fed seeded garbage and mutated valid answers: each returns
 * a verdict (never throws), and nothing malformed is ever accepted as a mapping.
 */
const ROUNDS = 3_000;

/** A small seeded generator (xorshift32): the same bytes on every run. */
function random(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

function bytes(next: (n: number) => number, length: number): Buffer {
  return Buffer.from(Array.from({ length }, () => next(256)));
}

/** A valid PCP MAP answer to nonce 0x01…0x0c, internal port 51820, from RFC 6887's layout. */
function pcpAnswer(): Buffer {
  const b = Buffer.alloc(60);
  b[0] = 2;
  b[1] = 0x81;
  b.writeUInt32BE(7200, 4);
  Buffer.from('0102030405060708090a0b0c', 'hex').copy(b, 24);
  b[36] = 17;
  b.writeUInt16BE(51820, 40);
  b.writeUInt16BE(40000, 42);
  b.writeUInt16BE(0xffff, 54);
  Buffer.from([203, 0, 113, 7]).copy(b, 56);
  return b;
}

describe('parsers of router answers, under hostile input', () => {
  const nonce = Buffer.from('0102030405060708090a0b0c', 'hex');

  it('never throw on random datagrams', () => {
    const next = random(0x5eed);
    for (let i = 0; i < ROUNDS; i++) {
      const b = bytes(next, next(80));
      expect(() => decodeExternalAddressAnswer(b)).not.toThrow();
      expect(() => decodeMapUdpAnswer(b)).not.toThrow();
      expect(() => decodeMapAnswer(b, { nonce, internalPort: 51820 })).not.toThrow();
      expect(() => parseSearchAnswer(b, '192.168.1.1')).not.toThrow();
      expect(() => wanService(b.toString('latin1'), new URL('http://192.168.1.1/'))).not.toThrow();
      expect(() => soapValue(b.toString('latin1'), 'NewExternalIPAddress')).not.toThrow();
    }
  });

  it('accept a mutated PCP answer only when every checked field still holds', () => {
    const next = random(0xbeef);
    const valid = pcpAnswer();
    expect(decodeMapAnswer(valid, { nonce, internalPort: 51820 }).ok).toBe(true);
    for (let i = 0; i < ROUNDS; i++) {
      const b = Buffer.from(valid);
      const at = next(60);
      b[at] = next(256);
      const decoded = decodeMapAnswer(b, { nonce, internalPort: 51820 });
      if (!decoded.ok) continue;
      // Accepted: then it is still a MAP answer for our nonce and port, with a usable mapping.
      expect(b.subarray(24, 36).equals(nonce)).toBe(true);
      expect(b.readUInt16BE(40)).toBe(51820);
      expect(decoded.value.lifetimeS).toBeGreaterThan(0);
      expect(decoded.value.externalPort).toBeGreaterThan(0);
      expect(decoded.value.externalIp).not.toBe('0.0.0.0');
    }
  });
});
