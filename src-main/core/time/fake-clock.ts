import type { Clock, TimerHandle } from './clock.js';

/**
 * Test support: a clock whose time moves only when the test says so. `advance(ms)` fires every
 * timer due in that span in time order, letting promise chains settle between timers (so a loop
 * of `await sleep(...)` runs as it would in real time), and leaves the clock at the target time.
 */
interface Timer {
  id: number;
  at: number;
  callback: () => void;
}

/** Where fake wall time starts: a fixed instant, so logs and timestamps in tests are stable. */
export const FAKE_EPOCH_MS = Date.UTC(2026, 0, 1);

export class FakeClock implements Clock {
  private time: number;
  private nextId = 1;
  private timers: Timer[] = [];

  constructor(startMs = FAKE_EPOCH_MS) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  nowPrecise(): number {
    return this.time - FAKE_EPOCH_MS;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, at: this.time + Math.max(0, ms), callback };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing due timers in order and settling promises after each. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await settle();
    for (;;) {
      const next = this.earliest();
      if (!next || next.at > target) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = Math.max(this.time, next.at);
      next.callback();
      await settle();
    }
    this.time = target;
    await settle();
  }

  /** Advances in `stepMs` steps until `check` holds; throws after `maxMs` of fake time. */
  async until(check: () => boolean, what: string, maxMs = 60_000, stepMs = 10): Promise<void> {
    const deadline = this.time + maxMs;
    while (!check()) {
      if (this.time >= deadline) throw new Error(`fake clock: no ${what} within ${maxMs} ms`);
      await this.advance(stepMs);
    }
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers)
      if (!best || t.at < best.at || (t.at === best.at && t.id < best.id)) best = t;
    return best;
  }
}

/**
 * Lets every promise chain that can run without time passing run: a few macrotask turns, since
 * a chain may hop through several awaits (and Node's own immediate queue) before it waits again.
 */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
