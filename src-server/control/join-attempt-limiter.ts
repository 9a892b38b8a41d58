/**
 * Counts failed join attempts (wrong or malformed invite codes) per source IP and per public key
 * in a sliding window. 50-bit codes are unguessable only while guessing is slow: at 10 tries a
 * minute from one address, finding one live code among a million parties takes ~2^30 years.
 * Only failures count, so a LAN party of 30 friends behind one NAT can all join at once.
 */
export interface JoinAttemptLimiterOptions {
  /** Failures allowed per key within `windowMs`. */
  maxFailures: number;
  windowMs: number;
  now: () => number;
  /** Keys tracked at most; the oldest are forgotten beyond it, so spoofed floods stay bounded. */
  maxKeys?: number;
}

const DEFAULT_MAX_KEYS = 100_000;

export class JoinAttemptLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly maxKeys: number;

  constructor(private readonly options: JoinAttemptLimiterOptions) {
    this.maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  }

  /** True when any of `keys` has used up its failures in the current window. */
  blocked(keys: readonly string[]): boolean {
    const since = this.options.now() - this.options.windowMs;
    return keys.some((key) => this.recent(key, since) >= this.options.maxFailures);
  }

  recordFailure(keys: readonly string[]): void {
    const now = this.options.now();
    for (const key of keys) {
      let list = this.failures.get(key);
      if (!list) {
        if (this.failures.size >= this.maxKeys) {
          const oldest = this.failures.keys().next();
          if (!oldest.done) this.failures.delete(oldest.value);
        }
        list = [];
        this.failures.set(key, list);
      }
      list.push(now);
      // Only the last maxFailures timestamps can ever matter.
      if (list.length > this.options.maxFailures) list.shift();
    }
  }

  /** Drops keys whose failures have all left the window. */
  sweep(): void {
    const since = this.options.now() - this.options.windowMs;
    for (const [key, list] of this.failures) {
      if (list.every((t) => t <= since)) this.failures.delete(key);
    }
  }

  get size(): number {
    return this.failures.size;
  }

  private recent(key: string, since: number): number {
    const list = this.failures.get(key);
    if (!list) return 0;
    let count = 0;
    for (const t of list) if (t > since) count++;
    return count;
  }
}
