import { describe, expect, it } from 'vitest';
import { JoinAttemptLimiter } from './join-attempt-limiter.js';

function limiter(maxGlobalFailures = 600) {
  const clock = { now: 1_700_000_000_000 };
  const l = new JoinAttemptLimiter({
    maxFailures: 10,
    windowMs: 60_000,
    now: () => clock.now,
    maxGlobalFailures,
  });
  return { l, clock };
}

describe('JoinAttemptLimiter', () => {
  it('raises the proof difficulty one bit per doubling of proven failures past 600, up to 21', () => {
    const { l, clock } = limiter();
    const prove = (n: number) => {
      for (let i = 0; i < n; i++) l.recordFailureOf(`k${i % 500}`, `g${i % 300}`, true);
    };
    expect(l.proofBits()).toBe(18);
    prove(1_199);
    expect(l.proofBits()).toBe(18);
    prove(1);
    expect(l.proofBits()).toBe(19);
    prove(1_200);
    expect(l.proofBits()).toBe(20);
    prove(2_400);
    expect(l.proofBits()).toBe(21);
    prove(10_000);
    expect(l.proofBits()).toBe(21);
    clock.now += 60_001;
    expect(l.proofBits()).toBe(18);
  });

  it('keeps proven failures out of the server-wide free budget', () => {
    const { l } = limiter(5);
    for (let i = 0; i < 50; i++) l.recordFailureOf(`k${i}`, `g${i}`, true);
    expect(l.mayTry('fresh', 'elsewhere')).toBe('free');
    for (let i = 0; i < 5; i++) l.recordFailureOf(`f${i}`, `h${i}`);
    expect(l.mayTry('fresh', 'elsewhere')).toBe('proof');
  });

  it('blocks a key past its own budget whatever it would pay', () => {
    const { l } = limiter();
    for (let i = 0; i < 10; i++) l.recordFailureOf('k', 'g', i % 2 === 0);
    expect(l.mayTry('k', 'other')).toBe('blocked');
    expect(l.mayTry('k2', 'other')).toBe('free');
  });
});
