import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../time/clock.js';
import { PeerLink, type PeerLinkEvent } from './peer-link.js';
import { probeTestPeer } from './probe-test-peer.js';
import { PREFER_BETTER_MS } from './path-preference.js';
import { LEAD_DELAY_MS, punchPlan } from './punch-schedule.js';

// Attempt 1: the initiator (A here) leads, B follows with TTL-2 openers.
const CONES = { self: 'port_restricted_cone', peer: 'port_restricted_cone' } as const;
const LEADS = punchPlan(1, true, CONES);
const FOLLOWS = punchPlan(1, false, CONES);

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

const side = (dualStack = false) => probeTestPeer(closers, { dualStack });

async function linked(dualStack = false) {
  const a = await side(dualStack);
  const b = await side(dualStack);
  a.engine.addPeer(b.keys.publicKey);
  b.engine.addPeer(a.keys.publicKey);
  const keepalive = { virtualIp: '10.66.0.9', keepaliveSeconds: 25 };
  await a.dataPlane.addPeer({ publicKey: b.keys.publicKey, ...keepalive });
  await b.dataPlane.addPeer({ publicKey: a.keys.publicKey, ...keepalive });
  const events = { a: [] as PeerLinkEvent[], b: [] as PeerLinkEvent[] };
  const make = (s: typeof a, peer: string, log: PeerLinkEvent[]) =>
    new PeerLink({
      peerKey: peer,
      dataPlane: s.dataPlane,
      probes: s.engine,
      clock: systemClock,
      tasks: s.tasks,
      probeIntervalMs: 50,
      deadPathAfterMs: 300,
      onEvent: (e) => log.push(e),
      resendsHandshake: true,
    });
  const linkA = make(a, b.keys.publicKey, events.a);
  const linkB = make(b, a.keys.publicKey, events.b);
  a.engine.onPing((p) => p.via.kind === 'direct' && linkA.heardFrom(p.via));
  b.engine.onPing((p) => p.via.kind === 'direct' && linkB.heardFrom(p.via));
  return { a, b, linkA, linkB, events };
}

describe('PeerLink', () => {
  it('proves a direct path when both sides punch at the same moment', async () => {
    const { a, b, linkA, linkB } = await linked();
    const at = Date.now() + 50;
    const signal = new AbortController().signal;
    const [pa, pb] = await Promise.all([
      linkA.punch(
        [{ kind: 'direct', host: '127.0.0.1', port: b.mux.localPort }],
        at,
        1000,
        signal,
        LEADS,
      ),
      linkB.punch(
        [{ kind: 'direct', host: '127.0.0.1', port: a.mux.localPort }],
        at,
        1000,
        signal,
        FOLLOWS,
      ),
    ]);
    expect(pa.path?.kind).toBe('direct');
    expect(pb.path?.kind).toBe('direct');
    expect(a.dataPlane.paths.get(b.keys.publicKey)).toEqual({
      kind: 'direct',
      host: '127.0.0.1',
      port: b.mux.localPort,
    });
  });

  it('finds a peer at an address it did not know, from the peer’s own ping', async () => {
    const { a, b, linkA, linkB } = await linked();
    const at = Date.now() + 20;
    const signal = new AbortController().signal;
    // A has only a wrong address for B (as if B's NAT mapped a fresh port); B knows A's.
    const [pa, pb] = await Promise.all([
      linkA.punch([{ kind: 'direct', host: '127.0.0.1', port: 9 }], at, 1000, signal, LEADS),
      linkB.punch(
        [{ kind: 'direct', host: '127.0.0.1', port: a.mux.localPort }],
        at,
        1000,
        signal,
        FOLLOWS,
      ),
    ]);
    expect(pb.path?.via).toEqual({ kind: 'direct', host: '127.0.0.1', port: a.mux.localPort });
    expect(pa.path?.via).toEqual({ kind: 'direct', host: '127.0.0.1', port: b.mux.localPort });
  });

  it('opens with low-TTL pings on the follower, and nothing from the leader until its turn', async () => {
    const { a, b, linkA, linkB } = await linked();
    const at = Date.now() + 20;
    const signal = new AbortController().signal;
    // Nobody answers at port 9: both sides run their whole plan for 1.2 s.
    await Promise.all([
      linkA.punch([{ kind: 'direct', host: '127.0.0.1', port: 9 }], at, 1_200, signal, LEADS),
      linkB.punch([{ kind: 'direct', host: '127.0.0.1', port: 9 }], at, 1_200, signal, FOLLOWS),
    ]);
    const rounds = (ms: number) => Math.ceil(ms / 100);
    // Leader: silent for LEAD_DELAY_MS, then full pings only.
    expect(a.sent.every((s) => s.ttl === undefined)).toBe(true);
    expect(a.sent.length).toBeLessThanOrEqual(rounds(1_200 - LEAD_DELAY_MS) + 1);
    expect(a.sent.length).toBeGreaterThanOrEqual(rounds(1_200 - LEAD_DELAY_MS) - 3);
    // Follower: TTL 2 only, all window long: it never heard the leader.
    expect(b.sent.every((s) => s.ttl === 2)).toBe(true);
    expect(b.sent.length).toBeGreaterThanOrEqual(rounds(1_200) - 3);
  });

  it('lets the follower go to full TTL as soon as it hears the leader', async () => {
    const { a, b, linkA, linkB } = await linked();
    const at = Date.now() + 20;
    const signal = new AbortController().signal;
    const [pa, pb] = await Promise.all([
      linkA.punch(
        [{ kind: 'direct', host: '127.0.0.1', port: b.mux.localPort }],
        at,
        3_000,
        signal,
        LEADS,
      ),
      linkB.punch(
        [{ kind: 'direct', host: '127.0.0.1', port: a.mux.localPort }],
        at,
        3_000,
        signal,
        FOLLOWS,
      ),
    ]);
    expect(pa.path?.kind).toBe('direct');
    expect(pb.path?.kind).toBe('direct');
    // Proven by the leader's first full ping and the follower's pong, in a few rounds.
    expect(pa.provenAfterMs!).toBeLessThan(LEAD_DELAY_MS + 500);
    expect(pb.provenAfterMs!).toBeLessThan(LEAD_DELAY_MS + 500);
    expect(a.sent.length).toBeLessThan(8);
  });

  it('gives up after the punch window when nothing answers', async () => {
    const { linkA } = await linked();
    const started = Date.now();
    const path = await linkA.punch(
      [{ kind: 'direct', host: '127.0.0.1', port: 9 }],
      started,
      300,
      new AbortController().signal,
      LEADS,
    );
    expect(path.path).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(linkA.path).toBeNull();
  });

  it('reports RTT on the live path and notices within the dead-path window when it dies', async () => {
    const { a, b, linkA, linkB, events } = await linked();
    const at = Date.now();
    const signal = new AbortController().signal;
    await Promise.all([
      linkA.punch(
        [{ kind: 'direct', host: '127.0.0.1', port: b.mux.localPort }],
        at,
        1000,
        signal,
        LEADS,
      ),
      linkB.punch(
        [{ kind: 'direct', host: '127.0.0.1', port: a.mux.localPort }],
        at,
        1000,
        signal,
        FOLLOWS,
      ),
    ]);
    linkA.startMonitoring();
    await new Promise((r) => setTimeout(r, 200));
    expect(events.a.filter((e) => e.type === 'rtt').length).toBeGreaterThan(1);
    const diedAt = Date.now();
    await b.mux.close();
    closers.splice(
      closers.findIndex(() => true),
      0,
    );
    while (!events.a.some((e) => e.type === 'dead') && Date.now() - diedAt < 2000) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(events.a.some((e) => e.type === 'dead')).toBe(true);
    expect(Date.now() - diedAt).toBeLessThan(600);
    await linkA.stop();
  });

  describe('on a relay route (issue #7: the first handshake goes without a probe round trip)', () => {
    const ROUTE = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    // Port 9 on loopback: nothing answers, so only what the link does by itself is seen.
    const useSilentRelay = (link: PeerLink, peerBound: boolean) =>
      link.useRelay('near', '127.0.0.1', 9, ROUTE, peerBound);

    it('resends the pending handshake at once when the relay says the peer has bound too', async () => {
      const { a, b, linkA } = await linked();
      useSilentRelay(linkA, true);
      expect(a.dataPlane.handshakeResends.get(b.keys.publicKey)).toBe(1);
      await linkA.stop();
    });

    it('waits for a probe answer when the peer has not bound yet', async () => {
      const { a, b, linkA } = await linked();
      useSilentRelay(linkA, false);
      await new Promise((r) => setTimeout(r, 150));
      expect(a.dataPlane.handshakeResends.get(b.keys.publicKey)).toBeUndefined();
      await linkA.stop();
    });

    it('takes a ping from the peer over its unproven route as proof, and not one over another route', async () => {
      const { a, b, linkA } = await linked();
      useSilentRelay(linkA, false);
      linkA.heardOnRelay(Uint8Array.from([9, 9, 9, 9, 9, 9, 9, 9]));
      expect(a.dataPlane.handshakeResends.get(b.keys.publicKey)).toBeUndefined();
      const probesBefore = a.sent.length;
      linkA.heardOnRelay(ROUTE);
      expect(a.dataPlane.handshakeResends.get(b.keys.publicKey)).toBe(1);
      // …and probes at once rather than at the next prove tick.
      expect(a.sent.length).toBe(probesBefore + 1);
      await linkA.stop();
    });
  });

  describe('with IPv6 on the same port (dual-stack sockets; ::1 stands for a global address)', () => {
    const v4 = (port: number) => ({ kind: 'direct' as const, host: '127.0.0.1', port });
    const v6 = (port: number) => ({ kind: 'direct' as const, host: '::1', port });

    it('settles on IPv6 when IPv4 answers too, whichever is listed first', async () => {
      const { a, b, linkA, linkB } = await linked(true);
      const at = Date.now() + 20;
      const signal = new AbortController().signal;
      const [pa, pb] = await Promise.all([
        linkA.punch([v4(b.mux.localPort), v6(b.mux.localPort)], at, 2_000, signal, LEADS),
        linkB.punch([v6(a.mux.localPort), v4(a.mux.localPort)], at, 2_000, signal, FOLLOWS),
      ]);
      expect(pa.path?.via).toEqual({ kind: 'direct', host: '::1', port: b.mux.localPort });
      expect(pb.path?.via).toEqual({ kind: 'direct', host: '::1', port: a.mux.localPort });
      expect(a.dataPlane.paths.get(b.keys.publicKey)).toEqual({
        kind: 'direct',
        host: '::1',
        port: b.mux.localPort,
      });
    });

    it('pings IPv6 at full hop limit from the first round on both sides, IPv4 as the plan says', async () => {
      const { a, b, linkA, linkB } = await linked(true);
      const at = Date.now() + 20;
      const signal = new AbortController().signal;
      // Nobody answers at port 9: both sides run their whole plan for 1.2 s.
      await Promise.all([
        linkA.punch([v4(9), v6(9)], at, 1_200, signal, LEADS),
        linkB.punch([v4(9), v6(9)], at, 1_200, signal, FOLLOWS),
      ]);
      const rounds = (ms: number) => Math.ceil(ms / 100);
      const to = (s: typeof a, host: string) => s.sent.filter((x) => x.host === host);
      // IPv6: every round of the window, from both sides, never with a low TTL.
      for (const s of [a, b]) {
        expect(to(s, '::1').every((x) => x.ttl === undefined)).toBe(true);
        expect(to(s, '::1').length).toBeGreaterThanOrEqual(rounds(1_200) - 3);
      }
      // IPv4: the leader waits its lead delay; the follower opens with TTL 2 only.
      expect(to(a, '127.0.0.1').every((x) => x.ttl === undefined)).toBe(true);
      expect(to(a, '127.0.0.1').length).toBeLessThanOrEqual(rounds(1_200 - LEAD_DELAY_MS) + 1);
      expect(to(b, '127.0.0.1').every((x) => x.ttl === 2)).toBe(true);
    });

    it('takes IPv4 once IPv6 has stayed silent for PREFER_BETTER_MS after IPv4 answered', async () => {
      const { a, b, linkA, linkB } = await linked(true);
      const at = Date.now() + 20;
      const signal = new AbortController().signal;
      // A's IPv6 candidate for B is dead (port 9); IPv4 works both ways.
      const [pa, pb] = await Promise.all([
        linkA.punch([v6(9), v4(b.mux.localPort)], at, 3_000, signal, LEADS),
        linkB.punch([v4(a.mux.localPort)], at, 3_000, signal, FOLLOWS),
      ]);
      expect(pa.path?.via).toEqual({ kind: 'direct', host: '127.0.0.1', port: b.mux.localPort });
      expect(pa.provenAfterMs!).toBeGreaterThanOrEqual(LEAD_DELAY_MS + PREFER_BETTER_MS);
      expect(pa.provenAfterMs!).toBeLessThan(LEAD_DELAY_MS + PREFER_BETTER_MS + 600);
      expect(pb.path?.via).toEqual({ kind: 'direct', host: '127.0.0.1', port: a.mux.localPort });
    });
  });
});
