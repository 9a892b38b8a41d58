/**
 * Counts failed join attempts (wrong or malformed invite codes) in a sliding window, per member
 * key, per address group (an IPv4 address or an IPv6 /64: address-group.ts) and over the whole
 * server. 50-bit codes are unguessable only while guessing is slow. Only failures count, so a
 * LAN party of 30 friends behind one NAT can all join at once.
 *
 * `mayTry` decides (see there):
 * - a key over its own budget is blocked;
 * - while its address group and the whole server are within their budgets, a try is free;
 * - past either, every try needs a join proof (src-common/crypto/join-proof.ts): ~2^bits hashes
 *   of the caller's CPU per guess. A stranger guessing from behind the same CGNAT therefore
 *   cannot lock out a real invitee (the app solves the proof in well under a second), and an
 *   attacker gains nothing from more addresses or fresh keys: past the free budgets its guess
 *   rate is bounded by its CPU, and the difficulty rises as proven guesses pile up.
 *
 * Why the free budgets suffice: with G free failures a minute and P live parties, one guess
 * finds some party with odds P / 2^50; at G = 600 and a million parties that is one hit per
 * ~3.6 years of saturated guessing. Proven guesses count toward the key and the group (so they
 * stay past their budget) but not toward the server-wide free budget: an attacker who pays for
 * its guesses does not make every other invitee on the server pay too.
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

/**
 * Why 10: a household or café mistyping codes makes a handful of errors a minute, not 10; past
 * it a join proof (not a lockout) is asked for, so a low figure costs a real user little.
 */
export const DEFAULT_GROUP_FAILURES_PER_WINDOW = 10;
/** Why 600: see the odds above; far above every real user mistyping at once. */
export const DEFAULT_GLOBAL_FAILURES_PER_WINDOW = 600;
/**
 * Why 18 bits: ~2^18 SHA-256 is ~0.5 s of Node on a laptop core, once, for a real invitee behind
 * a guessing neighbour; for an attacker it is the same 0.5 s per guess.
 */
export const JOIN_PROOF_BASE_BITS = 18;
/** Why 21: ~4 s of Node for a real invitee, the most we ask of one even under a heavy attack. */
export const JOIN_PROOF_HARDEST_BITS = 21;
/**
 * Proven failures a window at which the difficulty starts to rise: one more bit (twice the work)
 * per doubling beyond it, so faster (native, many-core) guessers are met with harder proofs.
 */
const PROVEN_FAILURES_PER_EXTRA_BIT = 600;
const PROVEN = '$proven';

/** What a key may do now: try for free, try with a join proof, or not at all. */
export type JoinTry = 'free' | 'proof' | 'blocked';

const DEFAULT_MAX_KEYS = 100_000;

export class JoinAttemptLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly maxKeys: number;

  constructor(private readonly options: JoinAttemptLimiterOptions) {
    this.maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  }

  /**
   * May `key`, connecting from `group`, try an invite code now, and on what terms? See the top of
   * this file. The counters are `key:` and `group:` entries of this limiter; the global one is
   * `*` and proven failures are counted under `$proven`.
   */
  mayTry(key: string, group: string): JoinTry {
    const since = this.options.now() - this.options.windowMs;
    if (this.recent(`key:${key}`, since) >= this.options.maxFailures) return 'blocked';
    const groupMax = this.options.maxGroupFailures ?? DEFAULT_GROUP_FAILURES_PER_WINDOW;
    const globalMax = this.options.maxGlobalFailures ?? DEFAULT_GLOBAL_FAILURES_PER_WINDOW;
    const free =
      this.recent(`group:${group}`, since) < groupMax && this.recent('*', since) < globalMax;
    return free ? 'free' : 'proof';
  }

  /** The difficulty of the join proof asked for now (bits). */
  proofBits(): number {
    const proven = this.recent(PROVEN, this.options.now() - this.options.windowMs);
    const doublings = Math.floor(Math.log2(Math.max(1, proven / PROVEN_FAILURES_PER_EXTRA_BIT)));
    return Math.min(JOIN_PROOF_BASE_BITS + doublings, JOIN_PROOF_HARDEST_BITS);
  }

  /** Counts one failure of `key` from `group`; a proven one (`proven`) spares the free budget. */
  recordFailureOf(key: string, group: string, proven = false): void {
    this.recordFailure([`key:${key}`, `group:${group}`, proven ? PROVEN : '*']);
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
    if (key === PROVEN) {
      return PROVEN_FAILURES_PER_EXTRA_BIT * 2 ** (JOIN_PROOF_HARDEST_BITS - JOIN_PROOF_BASE_BITS);
    }
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
