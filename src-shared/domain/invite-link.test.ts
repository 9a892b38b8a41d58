import { describe, expect, it } from 'vitest';
import { formatInviteLink, parseInviteLink } from './invite-link.js';

const FP = 'q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c';

describe('invite links', () => {
  it('carries the code, the control server and its certificate fingerprint', () => {
    const text = formatInviteLink({
      code: 'K7M2Q-9XTRA',
      controlUrl: 'https://control.example:7400',
      fingerprint: FP,
    });
    expect(text).toBe(
      `lanrage://join/K7M2Q-9XTRA?control=https%3A%2F%2Fcontrol.example%3A7400&fp=${FP}`,
    );
    expect(parseInviteLink(text)).toEqual({
      ok: true,
      value: { code: 'K7M2Q-9XTRA', controlUrl: 'https://control.example:7400', fingerprint: FP },
    });
  });

  it('refuses a link without a control server, or with a malformed fingerprint', () => {
    expect(parseInviteLink('lanrage://join/K7M2Q-9XTRA').ok).toBe(false);
    expect(
      parseInviteLink('lanrage://join/K7M2Q-9XTRA?control=https%3A%2F%2Fc.example&fp=short').ok,
    ).toBe(false);
  });
});
