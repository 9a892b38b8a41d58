import { TokenBuckets } from '../common/token-bucket.js';

/**
 * Quotas on the requests that cost the server database work or create state, per member key
 * and per address group (address-group.ts), checked before anything touches SQLite. The
 * per-connection message limit caps one socket; these cap one person (a key, whichever socket it
 * uses) and one place (an address group, however many keys it makes — keys are free to make,
 * addresses are not). A request over either quota is refused with `rate_limited` at the cost of
 * two map lookups.
 *
 * Each figure is sized from what a real client does, with a wide margin, never from an attack.
 */

interface Rate {
  perMinute: number;
  burst: number;
}

export interface OpQuota {
  perKey: Rate;
  perGroup: Rate;
}

export const REQUEST_QUOTAS = {
  /**
   * A player creates a party a few times an evening; a household or café a few more. 10 a minute
   * per group with an empty party kept 10 minutes caps one place at ~100 empty parties.
   */
  'party.create': { perKey: { perMinute: 4, burst: 3 }, perGroup: { perMinute: 10, burst: 10 } },
  /**
   * Join and leave share a budget (churn is join/leave pairs). A whole party (32) behind one NAT
   * joining at once is the group burst.
   */
  'party.join': { perKey: { perMinute: 12, burst: 5 }, perGroup: { perMinute: 60, burst: 40 } },
  'party.leave': { perKey: { perMinute: 12, burst: 5 }, perGroup: { perMinute: 60, burst: 40 } },
  /** Sent on NAT or address changes: a few a minute at worst. */
  'member.update': {
    perKey: { perMinute: 60, burst: 10 },
    perGroup: { perMinute: 600, burst: 64 },
  },
  /**
   * One grant per relayed peer when a path is set up and before each token expires (10 min):
   * a full party is 31 at once; a group holds at most one party's worth of members.
   */
  'route.token': {
    perKey: { perMinute: 120, burst: 64 },
    perGroup: { perMinute: 1200, burst: 512 },
  },
  /**
   * Heartbeats write `lastSeen`: a client sends one every 15 s (4 a minute); the group figure is
   * a whole party behind one NAT, doubled.
   */
  heartbeat: { perKey: { perMinute: 20, burst: 5 }, perGroup: { perMinute: 640, burst: 64 } },
  /**
   * Logins are X25519 work and (for members) a database write. A restarted server sees a whole
   * party behind one NAT log in at once (the burst); a client reconnects with back-off.
   */
  login: { perKey: { perMinute: 30, burst: 10 }, perGroup: { perMinute: 120, burst: 64 } },
} as const satisfies Record<string, OpQuota>;

export type QuotaOp = keyof typeof REQUEST_QUOTAS;

/** Why 100k: the buckets of the busiest sources; an idle bucket is swept, so this is a ceiling. */
const MAX_TRACKED = 100_000;

export class RequestQuota {
  private readonly byKey = new Map<QuotaOp, TokenBuckets<string>>();
  private readonly byGroup = new Map<QuotaOp, TokenBuckets<string>>();
  refused = 0;

  /** `scale` multiplies every figure: tests that are not about quotas log in hundreds of keys. */
  constructor(now: () => number, scale = 1) {
    // Join and leave draw from the same buckets.
    const shared = new Map<string, [TokenBuckets<string>, TokenBuckets<string>]>();
    for (const [op, quota] of Object.entries(REQUEST_QUOTAS) as [QuotaOp, OpQuota][]) {
      const family = op === 'party.leave' ? 'party.join' : op;
      let pair = shared.get(family);
      if (!pair) {
        pair = [bucketsFor(quota.perKey, now, scale), bucketsFor(quota.perGroup, now, scale)];
        shared.set(family, pair);
      }
      this.byKey.set(op, pair[0]);
      this.byGroup.set(op, pair[1]);
    }
  }

  /** Takes one request of `op` from the key's and the group's quota; false if either is spent. */
  take(op: QuotaOp, key: string, group: string): boolean {
    // The group is checked first: a source cycling keys must not cost us a bucket per key.
    const ok = this.byGroup.get(op)!.take(group) && this.byKey.get(op)!.take(key);
    if (!ok) this.refused++;
    return ok;
  }

  sweep(): void {
    for (const buckets of new Set([...this.byKey.values(), ...this.byGroup.values()])) {
      buckets.sweep();
    }
  }
}

function bucketsFor(rate: Rate, now: () => number, scale: number): TokenBuckets<string> {
  return new TokenBuckets<string>({
    ratePerSecond: (rate.perMinute / 60) * scale,
    burst: rate.burst * scale,
    now,
    maxKeys: MAX_TRACKED,
  });
}

export function isQuotaOp(op: string): op is QuotaOp {
  return op in REQUEST_QUOTAS;
}
