import { describe, expect, it } from 'vitest';
import type { Candidate } from './peer-link.js';
import {
  candidateClass,
  isBestOnOffer,
  preferredCandidate,
  type CandidateClass,
} from './path-preference.js';

const lan = (host: string): Candidate => ({ kind: 'lan', host, port: 51820 });
const direct = (host: string): Candidate => ({ kind: 'direct', host, port: 51820 });
const v4 = direct('198.18.0.101');
const v4b = direct('198.18.0.102');
const v6 = direct('2001:db8:2::2');
const home = lan('192.168.1.7');

describe('which answering candidate becomes the path', () => {
  it.each<[Candidate, CandidateClass]>([
    [home, 'lan'],
    [v6, 'ipv6'],
    [v4, 'ipv4'],
  ])('classes %o as %s', (c, want) => {
    expect(candidateClass(c)).toBe(want);
  });

  it.each<[string, Candidate[], Candidate | null]>([
    ['IPv6 over IPv4 whatever the order', [v4, v6], v6],
    ['IPv6 over IPv4, IPv6 first', [v6, v4], v6],
    ['LAN over IPv6', [v6, home, v4], home],
    ['the first of two IPv4 answers', [v4, v4b], v4],
    ['IPv4 alone', [v4], v4],
    ['nothing from nothing', [], null],
  ])('prefers %s', (_name, answered, want) => {
    expect(preferredCandidate(answered)).toBe(want);
  });

  it.each<[string, Candidate, Candidate[], boolean]>([
    ['IPv6 when IPv4 is the only other offer', v6, [v4, v6], true],
    ['not IPv4 while IPv6 is on offer', v4, [v6, v4], false],
    ['IPv4 when nothing better is on offer', v4, [v4, v4b], true],
    ['not IPv6 while a LAN address is on offer', v6, [home, v6], false],
    ['a LAN address always', home, [home, v6, v4], true],
  ])('takes at once %s', (_name, c, offered, want) => {
    expect(isBestOnOffer(c, offered)).toBe(want);
  });
});
