/**
 * The core's only source of time: every timestamp, timeout and loop in the connection code goes
 * through a Clock handed in through options, so tests run the same code on a fake clock (see
 * fake-clock.ts) in milliseconds instead of waiting for real seconds.
 */
export type TimerHandle = unknown;

export interface Clock {
  /** Wall time, unix ms: timestamps shown to users and compared with the server's clock. */
  now(): number;
  /** A monotonic, sub-millisecond clock from an arbitrary origin: for RTTs (a LAN RTT is < 1 ms). */
  nowPrecise(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  nowPrecise: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Resolves after `ms` on `clock`, or at once when `signal` aborts (never rejects). */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = clock.setTimeout(done, ms);
    function done() {
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
