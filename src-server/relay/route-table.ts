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
 * Shares: each route counts against its party (the token's party tag) and each bound side against
 * its member (the member tag), so no party and no member can hold more than its share of the
 * table however many tokens it obtains; a refusal names which limit was hit so the relay can tell
 * the (authorised, proven) client to go elsewhere.
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
  /** The member holding this side (token's member tag as a u32); null until it first binds. */
  member: number | null = null;

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
    /** The party (token's party tag as a u32) this route is counted against. */
    readonly party: number,
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
  /** Most routes one party may hold (default: partyShare(maxRoutes)). */
  maxRoutesPerParty?: number;
  /** Most route sides one member may hold (default MAX_ROUTES_PER_MEMBER). */
  maxRoutesPerMember?: number;
}

/**
 * Why 32: a member needs one route per relayed peer, at most maxMembers − 1 = 31 in the largest
 * party; one spare covers a route being replaced while the old one idles out.
 */
export const MAX_ROUTES_PER_MEMBER = 32;
/** Every pair of a full 32-member party relayed: the most one honest party can ever need. */
const FULL_PARTY_PAIRS = (32 * 31) / 2;
/**
 * Why 1/20: no single party may hold more than a twentieth of a relay, so filling one takes twenty
 * parties' worth of members (each created under the control server's quotas), and a full party
 * still fits whole in a relay of the default 10,000 routes.
 */
const PARTY_SHARE_OF_TABLE = 1 / 20;

export function partyShare(maxRoutes: number): number {
  return Math.max(1, Math.min(FULL_PARTY_PAIRS, Math.ceil(maxRoutes * PARTY_SHARE_OF_TABLE)));
}

export type RouteRefusal = 'full' | 'party-share' | 'member-share';

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
  private readonly perParty = new Map<number, number>();
  private readonly perMember = new Map<number, number>();
  private readonly maxPerParty: number;
  private readonly maxPerMember: number;
  private count = 0;

  constructor(private readonly options: RouteTableOptions) {
    this.maxPerParty = options.maxRoutesPerParty ?? partyShare(options.maxRoutes);
    this.maxPerMember = options.maxRoutesPerMember ?? MAX_ROUTES_PER_MEMBER;
  }

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

  /**
   * The last BIND counter accepted for `side` of this route, live or retired; -1 when none. A
   * replay is refused against it before anything is sent, so replays never draw a CHALLENGE.
   */
  lastCounter(routeId: Uint8Array, side: RouteSide): bigint {
    const live = this.find(routeId);
    if (live) return live.end(side).lastCounter;
    const retired = this.retired.get(Buffer.from(routeId).toString('hex'));
    if (!retired) return -1n;
    return side === 0 ? retired.counter0 : retired.counter1;
  }

  /** The route with this id, or undefined (no creation). */
  find(routeId: Uint8Array): Route | undefined {
    return this.lookup(Buffer.from(routeId.buffer, routeId.byteOffset, ROUTE_ID_LENGTH), 0);
  }

  /** The route with this id, created (for `party`) if new; why not when it cannot be. */
  getOrCreate(
    routeId: Uint8Array,
    nowMs: number,
    party = 0,
  ): { route: Route; created: boolean } | RouteRefusal {
    const id = Buffer.from(routeId.subarray(0, ROUTE_ID_LENGTH));
    const existing = this.lookup(id, 0);
    if (existing) return { route: existing, created: false };
    if (this.count >= this.options.maxRoutes) return 'full';
    const held = this.perParty.get(party) ?? 0;
    if (held >= this.maxPerParty) return 'party-share';
    this.perParty.set(party, held + 1);
    const hi = id.readUInt32BE(0);
    const lo = id.readUInt32BE(4);
    const route = new Route(id, hi, lo, nowMs, party);
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
   * Counts `side` of `route` against `member` the first time it binds; false (nothing counted)
   * when that member's share is used up.
   */
  claimSide(route: Route, side: RouteSide, member: number): boolean {
    const end = route.end(side);
    if (end.member !== null) return true;
    const held = this.perMember.get(member) ?? 0;
    if (held >= this.maxPerMember) return false;
    this.perMember.set(member, held + 1);
    end.member = member;
    return true;
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
    release(this.perParty, route.party);
    for (const end of [route.end0, route.end1]) {
      if (end.member !== null) release(this.perMember, end.member);
      end.member = null;
    }
  }
}

function release(counts: Map<number, number>, key: number): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left <= 0) counts.delete(key);
  else counts.set(key, left);
}
