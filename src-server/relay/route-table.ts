import { ROUTE_ID_LENGTH, type RouteSide } from '../../src-shared/protocol/route-token.js';

/**
 * The relay's only state: routes by id, each with its two ends. A route exists from its first
 * valid BIND until it has been idle for `idleTimeoutMs`; a side whose token expires is unbound
 * (it must BIND again with a fresh token), so an expired grant stops carrying traffic.
 *
 * Lookup is the DATA hot path, so it allocates nothing: the 8-byte route id is read as two u32s
 * and folded into one 53-bit number (all 32 high bits, top 21 low bits) for the Map key; the full
 * low word is then compared, and the rare routes whose keys collide are chained.
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
    for (const route of result.expired) this.remove(route);
    return result;
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
