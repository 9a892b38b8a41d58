import { describe, expect, it } from 'vitest';
import { canonicalIp, checkAnnouncedIp, unconfirmedWords } from './announced-endpoint.js';

describe('canonicalIp', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::FFFF:c000:0201', '192.0.2.1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8::1', '2001:db8::1'],
    // NAT64's prefix is not IPv4-mapped: it stays IPv6.
    ['64:ff9b::192.0.2.1', '64:ff9b::c000:201'],
  ])('writes %s as %s', (text, want) => {
    expect(canonicalIp(text)).toBe(want);
  });

  it.each(['', 'unknown', '192.0.2', '010.0.0.1', 'fe80::1%eth0', '1::2::3', 'example.net'])(
    'refuses %j',
    (text) => {
      expect(canonicalIp(text)).toBeNull();
    },
  );
});

describe('checkAnnouncedIp', () => {
  it.each([
    ['198.51.100.7:40000', '198.51.100.7', true],
    ['198.51.100.7:40000', '::ffff:198.51.100.7', true],
    ['[2001:db8::7]:40000', '2001:DB8:0::7', true],
    ['198.51.100.7:40000', '192.0.2.66', false],
    ['198.51.100.7:40000', '2001:db8::7', false],
    ['198.51.100.7:40000', null, false],
    ['198.51.100.7:40000', undefined, false],
    [null, '198.51.100.7', false],
  ] as const)('%s seen at %s: confirmed %s', (endpoint, seen, want) => {
    expect(checkAnnouncedIp(endpoint, seen).confirmed).toBe(want);
  });

  it('says what does not match, in words', () => {
    const say = (endpoint: string | null, seen: string | null) => {
      const check = checkAnnouncedIp(endpoint, seen);
      return check.confirmed ? 'confirmed' : unconfirmedWords(check);
    };
    expect(say('198.51.100.7:40000', '192.0.2.66')).toBe(
      'the peer announced 198.51.100.7, but the LANrage server sees it at 192.0.2.66',
    );
    expect(say('198.51.100.7:40000', null)).toBe(
      "the LANrage server has not confirmed the peer's address 198.51.100.7",
    );
    expect(say(null, '192.0.2.66')).toBe('the peer announced no public address');
  });
});
