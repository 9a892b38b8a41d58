import { describe, expect, it } from 'vitest';
import { perUpdateCost, percentile, type CpuRound } from './status-push-figures.js';

const idle = (seconds: number, cpuMs: number): CpuRound => ({
  push: false,
  seconds,
  updates: 0,
  cpuMs,
});
const push = (seconds: number, updates: number, cpuMs: number): CpuRound => ({
  push: true,
  seconds,
  updates,
  cpuMs,
});

describe('perUpdateCost', () => {
  it('is the push rounds’ CPU per second minus the idle rounds’, per update', () => {
    // Idle 2 ms/s; pushing 2.5 ms/s with one update a second: 0.5 ms an update.
    const cost = perUpdateCost([idle(60, 120), push(60, 60, 150)]);
    expect(cost.idleMsPerS).toBe(2);
    expect(cost.pushMsPerS).toBe(2.5);
    expect(cost.perUpdateMs).toBe(0.5);
    expect(cost.pairsMs).toEqual([0.5]);
  });

  it('divides by the updates per second, not by the seconds', () => {
    // Four updates a second cost 4 ms/s over idle: 1 ms each.
    expect(perUpdateCost([idle(10, 10), push(10, 40, 50)]).perUpdateMs).toBe(1);
  });

  it('pools the rounds of each phase and pairs the n-th push round with the n-th idle one', () => {
    const cost = perUpdateCost([idle(10, 20), idle(10, 40), push(10, 10, 30), push(10, 10, 40)]);
    expect(cost.idleMsPerS).toBe(3);
    expect(cost.pushMsPerS).toBe(3.5);
    expect(cost.perUpdateMs).toBe(0.5);
    expect(cost.pairsMs).toEqual([1, 0]);
  });

  it('reports a negative cost as measured (noise), never clamped', () => {
    expect(perUpdateCost([idle(10, 30), push(10, 10, 20)]).perUpdateMs).toBe(-1);
  });

  it('has no per-update figure without both an idle and a push round', () => {
    expect(perUpdateCost([push(10, 10, 20)]).perUpdateMs).toBeNaN();
    expect(perUpdateCost([push(10, 10, 20)]).pairsMs).toEqual([]);
  });
});

describe('percentile', () => {
  it('takes the nearest rank of the sorted values', () => {
    expect(percentile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 0.99)).toBe(5);
    expect(percentile([5, 1, 3, 2, 4], 0)).toBe(1);
  });

  it('is NaN for no values', () => {
    expect(percentile([], 0.5)).toBeNaN();
  });
});
