import { describe, expect, it } from 'vitest';
import { Coalescer } from './status-coalescer.js';

function manualTimers() {
  let now = 0;
  let pending: { at: number; run: () => void } | null = null;
  return {
    now: () => now,
    setTimer: (run: () => void, ms: number) => {
      pending = { at: now + ms, run };
      return () => (pending = null);
    },
    advance(ms: number) {
      now += ms;
      if (pending && pending.at <= now) {
        const { run } = pending;
        pending = null;
        run();
      }
    },
  };
}

describe('Coalescer', () => {
  it('sends the first value at once and the latest of a burst once the interval has passed', () => {
    const timers = manualTimers();
    const sent: number[] = [];
    const c = new Coalescer<number>(250, (v) => sent.push(v), timers);
    c.push(1);
    c.push(2);
    c.push(3);
    expect(sent).toEqual([1]);
    timers.advance(249);
    expect(sent).toEqual([1]);
    timers.advance(1);
    expect(sent).toEqual([1, 3]);
  });

  it('sends one value per interval however many arrive, always the latest', () => {
    const timers = manualTimers();
    const sent: number[] = [];
    const c = new Coalescer<number>(250, (v) => sent.push(v), timers);
    for (let ms = 0; ms < 1_000; ms += 10) {
      c.push(ms);
      timers.advance(10);
    }
    // Sent at 0, 250, 500, 750 and 1000 ms, each the latest value pushed by then.
    expect(sent).toEqual([0, 240, 490, 740, 990]);
  });

  it('sends nothing after stop', () => {
    const timers = manualTimers();
    const sent: number[] = [];
    const c = new Coalescer<number>(250, (v) => sent.push(v), timers);
    c.push(1);
    c.push(2);
    c.stop();
    timers.advance(1_000);
    expect(sent).toEqual([1]);
  });
});
