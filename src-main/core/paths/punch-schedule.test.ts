import { describe, expect, it } from 'vitest';
import { directRetryDelayMs, punchPlan, punchSend } from './punch-schedule.js';

const CONES = { self: 'port_restricted_cone', peer: 'port_restricted_cone' } as const;

describe('punchPlan', () => {
  it.each([
    // attempt, initiator, leads, opener TTL
    [1, true, true, 2],
    [1, false, false, 2],
    [2, true, false, 2],
    [2, false, true, 2],
    [3, true, true, 3],
    [3, false, false, 3],
    [4, true, false, 3],
    [4, false, true, 3],
    [5, true, true, 2],
    [5, false, false, 2],
    [0, true, true, 2],
  ])('attempt %i as initiator=%s: leads=%s, opener TTL %i', (attempt, initiator, leads, ttl) => {
    expect(punchPlan(attempt, initiator, CONES)).toEqual({ attempt, leads, openerTtl: ttl });
  });

  it.each([
    // attempt, initiator, own NAT, peer's NAT, leads
    [1, true, 'symmetric', 'full_cone', true],
    [1, false, 'full_cone', 'symmetric', false],
    [1, false, 'symmetric', 'full_cone', true],
    [1, true, 'full_cone', 'symmetric', false],
    [2, true, 'symmetric', 'open', true],
    [2, false, 'open', 'symmetric', false],
    [1, true, 'symmetric', 'symmetric', true],
    [2, true, 'symmetric', 'symmetric', false],
    [1, true, 'open', 'full_cone', true],
    [2, true, 'open', 'full_cone', false],
  ] as const)(
    'attempt %i as initiator=%s, %s with a %s peer: leads=%s',
    (attempt, initiator, self, peer, leads) => {
      expect(punchPlan(attempt, initiator, { self, peer }).leads).toBe(leads);
    },
  );

  it('gives the two sides of every attempt opposite roles', () => {
    const kinds = ['open', 'full_cone', 'port_restricted_cone', 'symmetric'] as const;
    for (let attempt = 1; attempt <= 100; attempt++) {
      for (const a of kinds) {
        for (const b of kinds) {
          const initiator = punchPlan(attempt, true, { self: a, peer: b });
          const responder = punchPlan(attempt, false, { self: b, peer: a });
          expect(initiator.leads).toBe(!responder.leads);
          expect(initiator.openerTtl).toBe(responder.openerTtl);
        }
      }
    }
  });
});

describe('punchSend', () => {
  const leader = { attempt: 1, leads: true, openerTtl: 2 };
  const follower = { attempt: 1, leads: false, openerTtl: 3 };
  it.each([
    // plan, elapsed ms, heard the peer, what goes out
    [leader, 0, false, { kind: 'silent' }],
    [leader, 199, false, { kind: 'silent' }],
    [leader, 200, false, { kind: 'full' }],
    [leader, 2_900, true, { kind: 'full' }],
    [follower, 0, false, { kind: 'low', ttl: 3 }],
    [follower, 999, false, { kind: 'low', ttl: 3 }],
    [follower, 300, true, { kind: 'full' }],
    [follower, 2_900, false, { kind: 'low', ttl: 3 }],
  ] as const)('%o at %i ms (heard: %s) sends %o', (plan, elapsed, heard, want) => {
    expect(punchSend(plan, elapsed, heard)).toEqual(want);
  });
});

describe('directRetryDelayMs', () => {
  it.each([
    [1, 33_000],
    [2, 33_000],
    [3, 33_000],
    [4, 60_000],
    [5, 120_000],
    [6, 300_000],
    [50, 300_000],
  ])('after %i failed attempts waits %i ms', (failures, ms) => {
    expect(directRetryDelayMs(failures)).toBe(ms);
  });
});
