import { describe, expect, it } from 'vitest';
import { issueRouteGrant, verifyRouteToken } from './route-token-crypto.js';

const secret = Buffer.from('a-test-secret-of-enough-length');
const alice = 'TIKEA8cLFxkUTDz8LKWQ6Qi/zEE2k8soeVoYtE6CuG4=';
const bob = 'mVLfJ3dyUudNqI0ubl6IrRNTuS6n4nCQxP5XUWP2JmY=';

describe('route tokens', () => {
  it('gives both members the same route and opposite sides', () => {
    const a = issueRouteGrant(secret, 'party0000000000a', alice, bob, 2_000_000_000);
    const b = issueRouteGrant(secret, 'party0000000000a', bob, alice, 2_000_000_000);
    expect(a.routeId).toBe(b.routeId);
    expect(a.side + b.side).toBe(1);
    expect(a.sideKey).not.toBe(b.sideKey);
  });

  it('names a different route in another party', () => {
    const a = issueRouteGrant(secret, 'party0000000000a', alice, bob, 2_000_000_000);
    const b = issueRouteGrant(secret, 'party0000000000b', alice, bob, 2_000_000_000);
    expect(a.routeId).not.toBe(b.routeId);
  });

  it('verifies a token and derives the side key the member was given', () => {
    const grant = issueRouteGrant(secret, 'party0000000000a', alice, bob, 2_000_000_000);
    const result = verifyRouteToken(secret, Buffer.from(grant.token, 'base64'), 1_999_999_999);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.sideKey.toString('base64')).toBe(grant.sideKey);
  });

  it.each([
    ['an expired token', secret, 2_000_000_001, 'expired'],
    ['a token signed with another secret', Buffer.from('another-secret-entirely'), 0, 'signature'],
  ])('refuses %s', (_name, checkWith, now, reason) => {
    const grant = issueRouteGrant(secret, 'party0000000000a', alice, bob, 2_000_000_000);
    const result = verifyRouteToken(checkWith, Buffer.from(grant.token, 'base64'), now);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(reason);
  });

  it('refuses a token whose side was flipped', () => {
    const grant = issueRouteGrant(secret, 'party0000000000a', alice, bob, 2_000_000_000);
    const token = Buffer.from(grant.token, 'base64');
    token[1] = token[1]! ^ 1;
    expect(verifyRouteToken(secret, token, 0)).toEqual({
      ok: false,
      error: 'route token signature is wrong',
    });
  });
});
