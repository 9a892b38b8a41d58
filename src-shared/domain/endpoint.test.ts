import { describe, expect, it } from 'vitest';
import { formatEndpoint, parseEndpoint } from './endpoint.js';

describe('parseEndpoint', () => {
  it.each([
    ['1.2.3.4:5', { host: '1.2.3.4', port: 5 }],
    ['255.255.255.255:65535', { host: '255.255.255.255', port: 65535 }],
    ['[::1]:7400', { host: '::1', port: 7400 }],
  ])('reads %s', (text, want) => {
    expect(parseEndpoint(text)).toEqual({ ok: true, value: want });
  });

  it.each([
    ['', 'non-empty'],
    ['1.2.3.4', 'no port'],
    ['1.2.3.4:0', 'outside 1-65535'],
    ['1.2.3.4:65536', 'outside 1-65535'],
    ['1.2.3.4:-1', 'not a number'],
    ['256.1.1.1:5', 'not an IPv4 address'],
    ['relay.example:5', 'not an IPv4 address'],
    ['[::1:5', 'is not [ipv6]:port'],
    ['[zz]:5', 'not an IPv6 address'],
  ])('refuses %j with a reason', (text, reason) => {
    const result = parseEndpoint(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(reason);
  });

  it('accepts a host name only when asked to', () => {
    expect(parseEndpoint('relay.example:7401', { allowHostname: true })).toEqual({
      ok: true,
      value: { host: 'relay.example', port: 7401 },
    });
  });

  it('writes back what it read', () => {
    for (const text of ['10.0.0.1:51820', '[fe80::1]:9']) {
      const result = parseEndpoint(text);
      expect(result.ok && formatEndpoint(result.value)).toBe(text);
    }
  });

  it('never throws on random text', () => {
    const alphabet = '0123456789.:[]abcdef-zZ ';
    for (let i = 0; i < 5000; i++) {
      let text = '';
      const len = Math.floor(Math.random() * 30);
      for (let j = 0; j < len; j++) text += alphabet[Math.floor(Math.random() * alphabet.length)];
      expect(() => parseEndpoint(text, { allowHostname: i % 2 === 0 })).not.toThrow();
    }
  });
});
