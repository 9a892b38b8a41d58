/**
 * Coalesces status pushes: the first change goes out at once, later ones at most once per
 * `minIntervalMs` (trailing: the last state always arrives). The core reports every RTT sample of
 * every peer; a 32-member party would otherwise push dozens of times a second.
 */
export interface CoalescerTimers {
  now(): number;
  setTimer(run: () => void, ms: number): () => void;
}

export const REAL_TIMERS: CoalescerTimers = {
  now: () => performance.now(),
  setTimer: (run, ms) => {
    const id = setTimeout(run, ms);
    // A pending push must not keep a stopping process alive.
    id.unref?.();
    return () => clearTimeout(id);
  },
};

export class Coalescer<T> {
  private pending: { value: T } | null = null;
  private lastSent = -Infinity;
  private cancel: (() => void) | null = null;

  constructor(
    private readonly minIntervalMs: number,
    private readonly send: (value: T) => void,
    private readonly timers: CoalescerTimers = REAL_TIMERS,
  ) {}

  push(value: T): void {
    this.pending = { value };
    if (this.cancel) return;
    const wait = this.lastSent + this.minIntervalMs - this.timers.now();
    if (wait <= 0) this.flush();
    else this.cancel = this.timers.setTimer(() => this.flush(), wait);
  }

  stop(): void {
    this.cancel?.();
    this.cancel = null;
    this.pending = null;
  }

  private flush(): void {
    this.cancel = null;
    const pending = this.pending;
    this.pending = null;
    if (!pending) return;
    this.lastSent = this.timers.now();
    this.send(pending.value);
  }
}
