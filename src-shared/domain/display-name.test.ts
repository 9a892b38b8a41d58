import { describe, expect, it } from 'vitest';
import { checkDisplayName, disambiguateName, printableName } from './display-name.js';

describe('display names', () => {
  it('normalises to NFC and trims', () => {
    expect(checkDisplayName('  Jose\u0301 ')).toEqual({ ok: true, value: 'Jos\u00e9' });
  });
  it.each([
    ['a C1 control', 'ana\u0085', 'U+0085'],
    ['a right-to-left override', 'ana\u202egpj.exe', 'U+202E'],
    ['a zero-width space', 'an\u200ba', 'U+200B'],
    ['a line separator', 'ana\u2028ben', 'U+2028'],
    ['an escape', 'ana\u001b[31m', 'U+001B'],
  ])('refuses %s with an error naming it', (_what, name, code) => {
    const result = checkDisplayName(name);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain(code);
  });
  it('gives a duplicate name a number, case-insensitively', () => {
    expect(disambiguateName('Ana', ['ana', 'ben'])).toBe('Ana (2)');
    expect(disambiguateName('ana', ['ana', 'Ana (2)'])).toBe('ana (3)');
    expect(disambiguateName('cid', ['ana'])).toBe('cid');
  });
  it('keeps a numbered long name within the limit', () => {
    const long = 'x'.repeat(40);
    expect(disambiguateName(long, [long])).toBe(`${'x'.repeat(36)} (2)`);
  });
  it('escapes what it prints', () => {
    expect(printableName('ana\u202egpj')).toBe('ana\\u{202e}gpj');
    expect(printableName('plain name')).toBe('plain name');
  });
});
