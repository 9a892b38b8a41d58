/**
 * Token bucket per key (source IP, client key): `ratePerSecond` sustained, `burst` at once.
 * The clock is injected so tests need no sleeping; idle buckets are swept so a flood of
 * spoofed sources cannot grow the map without bound.
 */
export interface TokenBucketOptions {
  ratePerSecond: number;
  burst: number;
  now?: () => number;
  /** Most keys tracked; the oldest are dropped beyond it. */
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class TokenBuckets<K = string> {
  private readonly buckets = new Map<K, Bucket>();
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(private readonly options: TokenBucketOptions) {
    this.now = options.now ?? (() => performance.now());
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  /** Takes `cost` tokens for `key`; false means over the limit (and nothing is taken). */
  take(key: K, cost = 1): boolean {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.evictOldest();
      bucket = { tokens: this.options.burst, updatedAt: now };
      this.buckets.set(key, bucket);
    } else {
      const elapsed = Math.max(0, now - bucket.updatedAt) / 1000;
      bucket.tokens = Math.min(
        this.options.burst,
        bucket.tokens + elapsed * this.options.ratePerSecond,
      );
      bucket.updatedAt = now;
    }
    if (bucket.tokens < cost) return false;
    bucket.tokens -= cost;
    return true;
  }

  /** Forgets buckets that have refilled completely: they behave exactly like new ones. */
  sweep(): void {
    const now = this.now();
    const fullAfterMs = (this.options.burst / this.options.ratePerSecond) * 1000;
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.updatedAt >= fullAfterMs) this.buckets.delete(key);
    }
  }

  get size(): number {
    return this.buckets.size;
  }

  private evictOldest(): void {
    // Map iteration order is insertion order: the first key is the longest-tracked.
    const first = this.buckets.keys().next();
    if (!first.done) this.buckets.delete(first.value);
  }
}
