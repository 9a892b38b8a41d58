import { describe, expect, it } from 'vitest';
import {
  encodeEchoReply,
  encodeEchoRequest,
  parseEchoReply,
  parseEchoRequest,
} from './echo-protocol.js';
import { natRuleset } from './nat-router.js';
import { planLayout } from './topology.js';

describe('echo protocol', () => {
  it('round-trips a request and a reply', () => {
    expect(parseEchoRequest(encodeEchoRequest({ id: 'a1', replyFrom: 'other-ip' }))).toEqual({
      ok: true,
      value: { id: 'a1', replyFrom: 'other-ip' },
    });
    const reply = {
      id: 'a1',
      mapped: { host: '198.18.0.101', port: 4000 },
      via: { host: '198.18.0.20', port: 3478 },
    };
    expect(parseEchoReply(encodeEchoReply(reply))).toEqual({ ok: true, value: reply });
  });

  it.each([
    ['not JSON', '{'],
    ['an array', '[1]'],
    ['a bad id', '{"id":"a b"}'],
    ['an unknown replyFrom', '{"id":"a","replyFrom":"everywhere"}'],
    ['an oversized datagram', `{"id":"${'a'.repeat(600)}"}`],
  ])('rejects %s', (_what, text) => {
    expect(parseEchoRequest(Buffer.from(text)).ok).toBe(false);
  });

  it('never throws on random bytes (fuzz)', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(
        Array.from({ length: Math.floor(random() * 80) }, () => Math.floor(random() * 256)),
      );
      expect(typeof parseEchoRequest(bytes).ok).toBe('boolean');
      expect(typeof parseEchoReply(bytes).ok).toBe('boolean');
    }
  });
});

describe('lab plan', () => {
  it('names every namespace and WireGuard interface with the lab prefix', () => {
    const layout = planLayout(
      {
        players: [
          { name: 'a', nat: 'symmetric' },
          { name: 'b', nat: 'open' },
        ],
        relays: [{ name: 'r', delayMs: 5 }],
      },
      'ab12',
    );
    const namespaces = [
      layout.internetNs,
      ...layout.players.flatMap((p) => [p.ns, p.routerNs]),
      ...layout.relays.map((r) => r.ns),
    ];
    expect(namespaces.every((ns) => ns.startsWith('lr-ab12-'))).toBe(true);
    expect(layout.players.map((p) => p.wgName)).toEqual(['lrab120', 'lrab121']);
    expect(layout.players[0]).toMatchObject({ ip: '192.168.1.2', publicIp: '198.18.0.100' });
    expect(layout.players[1]).toMatchObject({ ip: '198.18.17.2', publicIp: '198.18.17.2' });
  });

  it('refuses names that could escape the lab prefix', () => {
    expect(() => planLayout({ players: [{ name: '../x', nat: 'open' }] }, 'ab12')).toThrow(
      /a-z 0-9/,
    );
  });

  it('writes symmetric NAT as masquerade fully-random and full cone as 1:1 snat + dnat of all UDP', () => {
    const a = { wanIf: 'wan', lanIf: 'lan', publicIp: '198.18.0.100', insideHost: '192.168.1.2' };
    expect(natRuleset('symmetric', a)).toContain('masquerade fully-random');
    expect(natRuleset('full_cone', a)).toMatch(
      /snat to 198\.18\.0\.100[\s\S]*udp dnat to 192\.168\.1\.2/,
    );
    expect(natRuleset('open', a)).not.toMatch(/nat|drop/);
  });
});
