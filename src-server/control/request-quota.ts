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
  /** Absent where a per-group quota would let a stranger lock out real users (see there). */
  perGroup?: Rate;
}

export const REQUEST_QUOTAS = {
  /**
   * A player creates a party a few times an evening; a household or café a few more. 10 a minute
   * per group with an empty party kept 10 minutes caps one place at ~100 empty parties.
   */
  'party.create': { perKey: { perMinute: 4, burst: 3 }, perGroup: { perMinute: 10, burst: 10 } },
  /**
   * Join and leave share the per-key budget. Joins have no per-group quota: wrong codes are what
   * a source could repeat, and the invite limiter already holds those per group without locking
   * out a neighbour with the right code; a right one can only be repeated by leaving first, which
   * the leave quota holds per group. A whole party (32) behind one NAT is the group burst.
   */
  'party.join': { perKey: { perMinute: 12, burst: 5 } },
  /**
   * A seed costs one HMAC and no state; one per proven join, so the join figures. No group
   * quota, for the same reason as joins: a neighbour's guessing must not lock an invitee out.
   */
  'join.challenge': { perKey: { perMinute: 12, burst: 5 } },
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
   * party behind one NAT log in at once (the burst); a client reconnects with back-off. The group
   * quota is not applied to keys that are members of a party, so strangers behind the same CGNAT
   * cannot lock real members out; the key quota is taken after the proof checks, so nobody can
   * spend another key's logins (ws-session.ts).
   */
  login: { perKey: { perMinute: 30, burst: 10 }, perGroup: { perMinute: 120, burst: 64 } },
} as const satisfies Record<string, OpQuota>;

export type QuotaOp = keyof typeof REQUEST_QUOTAS;

/** Why 100k: the buckets of the busiest sources; an idle bucket is swept, so this is a ceiling. */
const MAX_TRACKED = 100_000;

export class RequestQuota {
  private readonly byKey = new Map<QuotaOp, TokenBuckets<string>>();
  private readonly byGroup = new Map<QuotaOp, TokenBuckets<string> | null>();
  refused = 0;

  /** `scale` multiplies every figure: tests that are not about quotas log in hundreds of keys. */
  constructor(now: () => number, scale = 1) {
    // Join and leave draw from the same buckets.
    const shared = new Map<string, TokenBuckets<string>>();
    for (const [op, quota] of Object.entries(REQUEST_QUOTAS) as [QuotaOp, OpQuota][]) {
      const family = op === 'party.leave' ? 'party.join' : op;
      let perKey = shared.get(family);
      if (!perKey) {
        perKey = bucketsFor(quota.perKey, now, scale);
        shared.set(family, perKey);
      }
      this.byKey.set(op, perKey);
      this.byGroup.set(op, quota.perGroup ? bucketsFor(quota.perGroup, now, scale) : null);
    }
  }

  /** Takes one request of `op` from the key's and the group's quota; false if either is spent. */
  take(op: QuotaOp, key: string, group: string): boolean {
    // The group is checked first: a source cycling keys must not cost us a bucket per key.
    return this.takeGroup(op, group) && this.takeKey(op, key);
  }

  takeGroup(op: QuotaOp, group: string): boolean {
    const ok = this.byGroup.get(op)?.take(group) ?? true;
    if (!ok) this.refused++;
    return ok;
  }

  takeKey(op: QuotaOp, key: string): boolean {
    const ok = this.byKey.get(op)!.take(key);
    if (!ok) this.refused++;
    return ok;
  }

  sweep(): void {
    for (const buckets of new Set([...this.byKey.values(), ...this.byGroup.values()])) {
      buckets?.sweep();
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
