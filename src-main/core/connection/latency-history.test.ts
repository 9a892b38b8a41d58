import { describe, expect, it } from 'vitest';
import { LatencyHistory } from './latency-history.js';

describe('LatencyHistory', () => {
  it('shows a just-measured peer as one value, the step in progress', () => {
    const h = new LatencyHistory();
    h.add(23.5, 1_000_200);
    expect(h.values(1_000_300)).toEqual([23.5]);
  });

  it('keeps the worst RTT of each five seconds', () => {
    const h = new LatencyHistory();
    h.add(20, 100_000);
    h.add(45, 101_000);
    h.add(21, 104_999);
    h.add(30, 105_000);
    h.add(22, 106_000);
    expect(h.values(106_500)).toEqual([45, 30]);
  });

  it('puts null where a step had no RTT and ends at the step now is in', () => {
    const h = new LatencyHistory();
    h.add(10, 0);
    h.add(12, 10_000);
    expect(h.values(21_000)).toEqual([10, null, 12, null, null]);
  });

  it('covers five minutes: sixty steps, older ones dropped', () => {
    const h = new LatencyHistory();
    for (let s = 0; s < 400; s++) h.add(s, s * 1_000);
    const values = h.values(399_000);
    expect(values).toHaveLength(60);
    // Steps are 5 s: the oldest kept is 100,000–104,999 ms (worst 104), the newest 395,000–399,999.
    expect(values[0]).toBe(104);
    expect(values[59]).toBe(399);
  });

  it('drops everything older than five minutes even when the peer was silent', () => {
    const h = new LatencyHistory();
    h.add(9, 0);
    expect(h.values(299_999)).toHaveLength(60);
    expect(h.values(300_000)).toEqual([]);
  });
});
