import { ROUTE_ID_LENGTH, type RouteSide } from '../../src-shared/protocol/route-token.js';

/**
 * The relay's only state: routes by id, each with its two ends. A route exists from its first
 * valid BIND until it has been idle for `idleTimeoutMs`; a side whose token expires is unbound
 * (it must BIND again with a fresh token), so an expired grant stops carrying traffic.
 *
 * Lookup is the DATA hot path, so it allocates nothing: the 8-byte route id is read as two u32s
 * and folded into one 53-bit number (all 32 high bits, top 21 low bits) for the Map key; the full
 * low word is then compared, and the rare routes whose keys collide are chained.
 *
 * When a route expires, its sides' last BIND counters are kept (as a small "retired" record) until
 * its tokens expire: otherwise a BIND recorded on the wire could be replayed, from any address,
 * to recreate the route and claim a side while its token is still valid.
 */

/** One side of a route. Written only by the relay's BIND path and the sweep. */
export class RouteEnd {
  /** Where this side's frames come from and where the other side's are sent; null until bound. */
  address: string | null = null;
  port = 0;
  /** Highest BIND counter accepted for this side; -1 before any, so counter 0 is acceptable. */
  lastCounter = -1n;
  /** Unix ms after which this side's token no longer authorises it. */
  tokenExpiresAtMs = 0;

  isBoundTo(address: string, port: number): boolean {
    return this.port === port && this.address === address;
  }
}

export class Route {
  readonly end0 = new RouteEnd();
  readonly end1 = new RouteEnd();
  /** Set by every forwarded frame (a plain store, no clock read); the sweep turns it into time. */
  active = true;
  lastActiveAtMs: number;
  /** Next route whose key collides with this one's. */
  next: Route | null = null;

  constructor(
    readonly routeId: Buffer,
    readonly hi: number,
    readonly lo: number,
    readonly createdAtMs: number,
  ) {
    this.lastActiveAtMs = createdAtMs;
  }

  end(side: RouteSide): RouteEnd {
    return side === 0 ? this.end0 : this.end1;
  }

  get idHex(): string {
    return this.routeId.toString('hex');
  }
}

export interface RouteTableOptions {
  /** Most routes at once; BINDs for new routes beyond it are refused. */
  maxRoutes: number;
  idleTimeoutMs: number;
}

interface RetiredCounters {
  counter0: bigint;
  counter1: bigint;
  /** After this no BIND for the route can verify (its tokens have expired), so the record goes. */
  untilMs: number;
}

/** Why 4×: retired records are tiny (~100 bytes) and churn — routes that come and go — should not
 * evict one before its tokens expire; past this the oldest go first. */
const RETIRED_PER_ROUTE = 4;

export interface SweepResult {
  expired: Route[];
  /** Sides unbound because their token expired. */
  unbound: { route: Route; side: RouteSide }[];
}

// 2^21: the low word's top 21 bits join the high word in a key that stays a safe integer.
const LOW_BITS_IN_KEY = 2 ** 21;

function keyOf(hi: number, lo: number): number {
  return hi * LOW_BITS_IN_KEY + (lo >>> 11);
}

export class RouteTable {
  private readonly buckets = new Map<number, Route>();
  private readonly retired = new Map<string, RetiredCounters>();
  private count = 0;

  constructor(private readonly options: RouteTableOptions) {}

  get size(): number {
    return this.count;
  }

  get capacity(): number {
    return this.options.maxRoutes;
  }

  /** The route whose id is at `data[offset..offset+8]`; the caller has checked the length. */
  lookup(data: Buffer, offset: number): Route | undefined {
    const hi = data.readUInt32BE(offset);
    const lo = data.readUInt32BE(offset + 4);
    let route = this.buckets.get(keyOf(hi, lo));
    while (route !== undefined && route.lo !== lo) route = route.next ?? undefined;
    return route;
  }

  /** The route with this id, created if new; null when the table is full. */
  getOrCreate(routeId: Uint8Array, nowMs: number): { route: Route; created: boolean } | null {
    const id = Buffer.from(routeId.subarray(0, ROUTE_ID_LENGTH));
    const existing = this.lookup(id, 0);
    if (existing) return { route: existing, created: false };
    if (this.count >= this.options.maxRoutes) return null;
    const hi = id.readUInt32BE(0);
    const lo = id.readUInt32BE(4);
    const route = new Route(id, hi, lo, nowMs);
    const retired = this.retired.get(route.idHex);
    if (retired) {
      route.end0.lastCounter = retired.counter0;
      route.end1.lastCounter = retired.counter1;
      this.retired.delete(route.idHex);
    }
    const key = keyOf(hi, lo);
    route.next = this.buckets.get(key) ?? null;
    this.buckets.set(key, route);
    this.count++;
    return { route, created: true };
  }

  /**
   * Expires routes idle for `idleTimeoutMs` and unbinds sides whose token has expired. Activity
   * since the last sweep counts as "now", so a route lives between idleTimeoutMs and
   * idleTimeoutMs + one sweep interval after its last frame.
   */
  sweep(nowMs: number): SweepResult {
    const result: SweepResult = { expired: [], unbound: [] };
    for (const head of this.buckets.values()) {
      for (let route: Route | null = head; route !== null; route = route.next) {
        if (route.active) {
          route.active = false;
          route.lastActiveAtMs = Math.max(route.lastActiveAtMs, nowMs);
        } else if (nowMs - route.lastActiveAtMs >= this.options.idleTimeoutMs) {
          result.expired.push(route);
          continue;
        }
        for (const side of [0, 1] as const) {
          const end = route.end(side);
          if (end.address !== null && end.tokenExpiresAtMs <= nowMs) {
            end.address = null;
            end.port = 0;
            result.unbound.push({ route, side });
          }
        }
      }
    }
    for (const route of result.expired) {
      this.remove(route);
      this.retire(route, nowMs);
    }
    for (const [id, record] of this.retired) if (record.untilMs <= nowMs) this.retired.delete(id);
    return result;
  }

  /** Removes a route just created for a BIND that was then refused, keeping its counters. */
  discard(route: Route, nowMs: number): void {
    this.remove(route);
    this.retire(route, nowMs);
  }

  /** Records kept for expired routes (see the top of this file). */
  get retiredCount(): number {
    return this.retired.size;
  }

  private retire(route: Route, nowMs: number): void {
    const untilMs = Math.max(route.end0.tokenExpiresAtMs, route.end1.tokenExpiresAtMs);
    if (untilMs <= nowMs) return;
    if (this.retired.size >= this.options.maxRoutes * RETIRED_PER_ROUTE) {
      const oldest = this.retired.keys().next();
      if (!oldest.done) this.retired.delete(oldest.value);
    }
    this.retired.set(route.idHex, {
      counter0: route.end0.lastCounter,
      counter1: route.end1.lastCounter,
      untilMs,
    });
  }

  private remove(route: Route): void {
    const key = keyOf(route.hi, route.lo);
    const head = this.buckets.get(key);
    if (head === route) {
      if (route.next) this.buckets.set(key, route.next);
      else this.buckets.delete(key);
    } else {
      for (let prev = head; prev; prev = prev.next ?? undefined) {
        if (prev.next === route) {
          prev.next = route.next;
          break;
        }
      }
    }
    route.next = null;
    this.count--;
  }
}
