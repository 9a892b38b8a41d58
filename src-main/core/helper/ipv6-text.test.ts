import { describe, expect, it } from 'vitest';
import { ipv6FromBytes, ipv6ToBytes } from './ipv6-text.js';

describe('IPv6 text and bytes', () => {
  it.each([
    ['2001:db8:1::2', '20010db8000100000000000000000002'],
    ['2001:DB8:0:0:1:0:0:1', '20010db8000000000001000000000001'],
    ['::1', '00000000000000000000000000000001'],
    ['fe80::', 'fe800000000000000000000000000000'],
    ['64:ff9b::192.0.2.1', '0064ff9b0000000000000000c0000201'],
    ['2001:db8:0:1:1:1:1:1', '20010db8000000010001000100010001'],
  ])('reads %s as its 16 bytes', (text, hex) => {
    expect(ipv6ToBytes(text).toString('hex')).toBe(hex);
  });

  it.each([
    ['20010db8000100000000000000000002', '2001:db8:1::2'],
    // The longer zero run is compressed; of two equal runs, the first.
    ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
    ['20010db8000000010000000000000001', '2001:db8:0:1::1'],
    // A single zero group is written out (RFC 5952 4.2.2), as Node prints it.
    ['20010db8000000010001000100010001', '2001:db8:0:1:1:1:1:1'],
    ['00000000000000000000000000000000', '::'],
    ['fe800000000000000000000000000000', 'fe80::'],
  ])('writes %s as %s', (hex, text) => {
    expect(ipv6FromBytes(Buffer.from(hex, 'hex'))).toBe(text);
  });

  it.each(['198.51.100.1', 'fe80::1%eth0', 'example.com', '2001:db8::1::2', ''])(
    'refuses %j',
    (text) => {
      expect(() => ipv6ToBytes(text)).toThrow(RangeError);
    },
  );
});
