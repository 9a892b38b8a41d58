import { describe, expect, it } from 'vitest';
import { TokenBuckets } from './token-bucket.js';

function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('TokenBuckets', () => {
  it('allows a burst, then refuses until tokens refill', () => {
    const c = clock();
    const buckets = new TokenBuckets({ ratePerSecond: 10, burst: 3, now: c.now });
    expect([1, 2, 3, 4].map(() => buckets.take('a'))).toEqual([true, true, true, false]);
    c.advance(100);
    expect(buckets.take('a')).toBe(true);
    expect(buckets.take('a')).toBe(false);
  });

  it('keeps one bucket per key', () => {
    const c = clock();
    const buckets = new TokenBuckets({ ratePerSecond: 1, burst: 1, now: c.now });
    expect(buckets.take('a')).toBe(true);
    expect(buckets.take('b')).toBe(true);
    expect(buckets.take('a')).toBe(false);
  });

  it('never refills above the burst', () => {
    const c = clock();
    const buckets = new TokenBuckets({ ratePerSecond: 100, burst: 2, now: c.now });
    buckets.take('a');
    c.advance(60_000);
    expect([1, 2, 3].map(() => buckets.take('a'))).toEqual([true, true, false]);
  });

  it('forgets full buckets on sweep and bounds how many keys it tracks', () => {
    const c = clock();
    const buckets = new TokenBuckets({ ratePerSecond: 1, burst: 1, now: c.now, maxKeys: 2 });
    buckets.take('a');
    buckets.take('b');
    buckets.take('c');
    expect(buckets.size).toBe(2);
    c.advance(1_000);
    buckets.sweep();
    expect(buckets.size).toBe(0);
  });
});
