/**
 * Counts failed join attempts (wrong or malformed invite codes) in a sliding window, per member
 * key, per address group (an IPv4 address or an IPv6 /64: address-group.ts) and over the whole
 * server. 50-bit codes are unguessable only while guessing is slow. Only failures count, so a
 * LAN party of 30 friends behind one NAT can all join at once.
 *
 * `mayTry` decides (see there):
 * - a key over its own budget is blocked;
 * - an address group over its budget blocks only keys that have already failed in the window,
 *   so a stranger guessing from behind the same CGNAT cannot lock out a real invitee typing the
 *   right code; cycling fresh keys to get around it costs a login each, which the login quota
 *   (request-quota.ts) caps per group;
 * - the whole server over its budget does the same: that caps how fast the code space can be
 *   searched from any number of addresses — the per-party guarantee. With G failures a minute
 *   allowed and P live parties, one guess finds some party with odds P / 2^50; at G = 600 and a
 *   million parties that is one hit per ~3.6 years of saturated guessing.
 */
export interface JoinAttemptLimiterOptions {
  /** Failures allowed per key within `windowMs`. */
  maxFailures: number;
  windowMs: number;
  now: () => number;
  /** Failures allowed per address group (all keys from it) within `windowMs`. */
  maxGroupFailures?: number;
  /** Failures allowed from everyone together within `windowMs`. */
  maxGlobalFailures?: number;
  /** Keys tracked at most; the oldest are forgotten beyond it, so spoofed floods stay bounded. */
  maxKeys?: number;
}

/** Why 20: a household or café mistyping codes makes a handful of errors, never 20 a minute. */
export const DEFAULT_GROUP_FAILURES_PER_WINDOW = 20;
/** Why 600: see the odds above; far above every real user mistyping at once. */
export const DEFAULT_GLOBAL_FAILURES_PER_WINDOW = 600;

const DEFAULT_MAX_KEYS = 100_000;

export class JoinAttemptLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly maxKeys: number;

  constructor(private readonly options: JoinAttemptLimiterOptions) {
    this.maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  }

  /**
   * May `key`, connecting from `group`, try an invite code now? See the top of this file. The
   * counters are `key:` and `group:` entries of this limiter; the global one is `*`.
   */
  mayTry(key: string, group: string): boolean {
    const since = this.options.now() - this.options.windowMs;
    const own = this.recent(`key:${key}`, since);
    if (own >= this.options.maxFailures) return false;
    if (own === 0) return true;
    const groupMax = this.options.maxGroupFailures ?? DEFAULT_GROUP_FAILURES_PER_WINDOW;
    const globalMax = this.options.maxGlobalFailures ?? DEFAULT_GLOBAL_FAILURES_PER_WINDOW;
    return this.recent(`group:${group}`, since) < groupMax && this.recent('*', since) < globalMax;
  }

  /** Counts one failure of `key` from `group`. */
  recordFailureOf(key: string, group: string): void {
    this.recordFailure([`key:${key}`, `group:${group}`, '*']);
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
      // Only the last N timestamps can ever matter, N the largest budget this key is held to.
      if (list.length > this.limitOf(key)) list.shift();
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

  private limitOf(key: string): number {
    if (key === '*') return this.options.maxGlobalFailures ?? DEFAULT_GLOBAL_FAILURES_PER_WINDOW;
    if (key.startsWith('group:'))
      return this.options.maxGroupFailures ?? DEFAULT_GROUP_FAILURES_PER_WINDOW;
    return this.options.maxFailures;
  }

  private recent(key: string, since: number): number {
    const list = this.failures.get(key);
    if (!list) return 0;
    let count = 0;
    for (const t of list) if (t > since) count++;
    return count;
  }
}
