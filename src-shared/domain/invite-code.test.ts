import { describe, expect, it } from 'vitest';
import { INVITE_ALPHABET, inviteCodeFromBytes, normalizeInviteCode } from './invite-code.js';

describe('invite codes', () => {
  it('formats ten symbols in two groups of five', () => {
    const code = inviteCodeFromBytes(new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 31]));
    expect(code).toBe('01234-5678Z');
  });

  it('uses every symbol of the alphabet and no other', () => {
    const seen = new Set<string>();
    for (let b = 0; b < 256; b++) {
      const code = inviteCodeFromBytes(new Uint8Array(10).fill(b));
      for (const ch of code.replace('-', '')) seen.add(ch);
    }
    expect([...seen].sort().join('')).toBe([...INVITE_ALPHABET].sort().join(''));
  });

  it.each([
    ['k7m2q-9xtra', 'K7M2Q-9XTRA'],
    ['K7M2Q9XTRA', 'K7M2Q-9XTRA'],
    ['  k7m2q 9xtra ', 'K7M2Q-9XTRA'],
    ['OIL00-ABCDE', '01100-ABCDE'],
  ])('reads what a listener typed: %j', (typed, want) => {
    expect(normalizeInviteCode(typed)).toEqual({ ok: true, value: want });
  });

  it.each([
    [42, 'must be text'],
    ['K7M2Q-9XTR', 'has 9 letters'],
    ['K7M2Q-9XTRAA', 'has 11 letters'],
    ['K7M2Q-9XTRU', '"U" cannot appear'],
    ['K7M2Q-9XT!A', '"!" cannot appear'],
    ['x'.repeat(41), 'too long'],
  ])('refuses %j with a reason', (typed, reason) => {
    const result = normalizeInviteCode(typed);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(reason);
  });
});
