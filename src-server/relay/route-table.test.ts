import { describe, expect, it } from 'vitest';
import { RouteTable, type Route, type RouteRefusal } from './route-table.js';

function routeOf(entry: { route: Route; created: boolean } | RouteRefusal): Route {
  if (typeof entry === 'string') throw new Error(`expected a route, got ${entry}`);
  return entry.route;
}

function id(hi: number, lo: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeUInt32BE(hi, 0);
  out.writeUInt32BE(lo, 4);
  return out;
}

/** A DATA-like frame: 6 header bytes, then the route id at offset 6. */
function frame(routeId: Buffer): Buffer {
  return Buffer.concat([Buffer.alloc(6), routeId, Buffer.from('payload')]);
}

describe('route table', () => {
  it('finds a route by the id inside a frame, and nothing for an unknown id', () => {
    const table = new RouteTable({ maxRoutes: 10, idleTimeoutMs: 1000, maxRoutesPerParty: 1_000 });
    const created = table.getOrCreate(id(0xdeadbeef, 0x01020304), 0);
    expect(typeof created !== 'string' && created.created).toBe(true);
    const route = routeOf(created);
    expect(table.lookup(frame(id(0xdeadbeef, 0x01020304)), 6)).toBe(route);
    expect(table.lookup(frame(id(0xdeadbeef, 0x01020305)), 6)).toBeUndefined();
    expect(table.getOrCreate(id(0xdeadbeef, 0x01020304), 5)).toEqual({
      route,
      created: false,
    });
    expect(table.size).toBe(1);
  });

  it('keeps apart ids that differ only in the low bits left out of the map key', () => {
    const table = new RouteTable({ maxRoutes: 10, idleTimeoutMs: 1000, maxRoutesPerParty: 1_000 });
    // Same high word and same top 21 bits of the low word: the same 53-bit key.
    const ids = [id(7, 0xabc00000), id(7, 0xabc00001), id(7, 0xabc007ff)];
    const routes = ids.map((routeId) => routeOf(table.getOrCreate(routeId, 0)));
    expect(new Set(routes).size).toBe(3);
    ids.forEach((routeId, i) => expect(table.lookup(frame(routeId), 6)).toBe(routes[i]));
    // Expire the middle of the chain; the others stay reachable.
    routes[1]!.active = false;
    routes[0]!.lastActiveAtMs = routes[2]!.lastActiveAtMs = 10_000;
    routes[0]!.active = routes[2]!.active = false;
    expect(table.sweep(2_000).expired).toEqual([routes[1]]);
    expect(table.lookup(frame(ids[1]!), 6)).toBeUndefined();
    expect(table.lookup(frame(ids[0]!), 6)).toBe(routes[0]);
    expect(table.lookup(frame(ids[2]!), 6)).toBe(routes[2]);
    expect(table.size).toBe(2);
  });

  it('refuses new routes beyond its capacity but still returns existing ones', () => {
    const table = new RouteTable({ maxRoutes: 2, idleTimeoutMs: 1000, maxRoutesPerParty: 1_000 });
    table.getOrCreate(id(1, 1), 0);
    table.getOrCreate(id(2, 2), 0);
    expect(table.getOrCreate(id(3, 3), 0)).toBe('full');
    expect((table.getOrCreate(id(1, 1), 0) as { created: boolean }).created).toBe(false);
  });

  it('counts activity since the last sweep as now, and expires only after a full idle timeout', () => {
    const table = new RouteTable({ maxRoutes: 2, idleTimeoutMs: 1000, maxRoutesPerParty: 1_000 });
    const route = routeOf(table.getOrCreate(id(1, 1), 0));
    expect(table.sweep(900).expired).toEqual([]); // created active: idle clock starts at 900
    expect(table.sweep(1800).expired).toEqual([]);
    route.active = true; // a forwarded frame
    expect(table.sweep(1900).expired).toEqual([]);
    expect(table.sweep(2899).expired).toEqual([]);
    expect(table.sweep(2900).expired).toEqual([route]);
    expect(table.size).toBe(0);
  });

  it('unbinds a side whose token has expired and reports it once', () => {
    const table = new RouteTable({ maxRoutes: 2, idleTimeoutMs: 60_000, maxRoutesPerParty: 1_000 });
    const route = routeOf(table.getOrCreate(id(1, 1), 0));
    route.end0.address = '192.0.2.1';
    route.end0.port = 4000;
    route.end0.tokenExpiresAtMs = 5000;
    route.end1.address = '192.0.2.2';
    route.end1.port = 4001;
    route.end1.tokenExpiresAtMs = 50_000;
    expect(table.sweep(4999).unbound).toEqual([]);
    expect(table.sweep(5000).unbound).toEqual([{ route, side: 0 }]);
    expect(route.end0.address).toBeNull();
    expect(route.end0.isBoundTo('192.0.2.1', 4000)).toBe(false);
    expect(route.end1.isBoundTo('192.0.2.2', 4001)).toBe(true);
    expect(table.sweep(6000).unbound).toEqual([]);
  });

  it('remembers the counters of an expired route until its tokens expire, so old BINDs stay refused', () => {
    const table = new RouteTable({ maxRoutes: 2, idleTimeoutMs: 1000, maxRoutesPerParty: 1_000 });
    const route = routeOf(table.getOrCreate(id(9, 9), 0));
    route.end0.lastCounter = 41n;
    route.end0.tokenExpiresAtMs = 60_000;
    route.end1.lastCounter = 7n;
    route.active = false;
    expect(table.sweep(1000).expired).toEqual([route]);
    expect(table.retiredCount).toBe(1);
    const again = table.getOrCreate(id(9, 9), 2000) as { route: Route; created: boolean };
    expect(again.created).toBe(true);
    expect(again.route.end0.lastCounter).toBe(41n);
    expect(again.route.end1.lastCounter).toBe(7n);
    expect(table.retiredCount).toBe(0);
  });

  it('forgets the counters of an expired route once its tokens have expired', () => {
    const table = new RouteTable({ maxRoutes: 2, idleTimeoutMs: 1000, maxRoutesPerParty: 1_000 });
    const route = routeOf(table.getOrCreate(id(9, 9), 0));
    route.end0.lastCounter = 41n;
    route.end0.tokenExpiresAtMs = 5000;
    route.active = false;
    table.sweep(1000);
    expect(table.retiredCount).toBe(1);
    table.sweep(5000);
    expect(table.retiredCount).toBe(0);
    expect(routeOf(table.getOrCreate(id(9, 9), 6000)).end0.lastCounter).toBe(-1n);
  });

  it('holds each party and each member to its share of the table', () => {
    const table = new RouteTable({
      maxRoutes: 100,
      idleTimeoutMs: 1000,
      maxRoutesPerParty: 3,
      maxRoutesPerMember: 2,
    });
    const party = 7;
    const routes = [1, 2, 3].map((n) => routeOf(table.getOrCreate(id(n, n), 0, party)));
    expect(table.getOrCreate(id(4, 4), 0, party)).toBe('party-share');
    // Another party is unaffected.
    expect(typeof table.getOrCreate(id(5, 5), 0, 8)).toBe('object');
    expect(table.claimSide(routes[0]!, 0, 42)).toBe(true);
    expect(table.claimSide(routes[1]!, 0, 42)).toBe(true);
    expect(table.claimSide(routes[2]!, 0, 42)).toBe(false);
    // A side already counted is not counted twice.
    expect(table.claimSide(routes[0]!, 0, 42)).toBe(true);
    // When a route goes, its party and member shares come back.
    table.sweep(0);
    table.sweep(2000);
    expect(typeof table.getOrCreate(id(4, 4), 3000, party)).toBe('object');
    expect(table.claimSide(routeOf(table.getOrCreate(id(4, 4), 3000, party)), 1, 42)).toBe(true);
  });
});
