import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../time/clock.js';
import { PeerLink, type PeerLinkEvent } from './peer-link.js';
import { probeTestPeer } from './probe-test-peer.js';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

const side = () => probeTestPeer(closers);

async function linked() {
  const a = await side();
  const b = await side();
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
      linkA.punch([{ kind: 'direct', host: '127.0.0.1', port: b.mux.localPort }], at, 1000, signal),
      linkB.punch([{ kind: 'direct', host: '127.0.0.1', port: a.mux.localPort }], at, 1000, signal),
    ]);
    expect(pa?.kind).toBe('direct');
    expect(pb?.kind).toBe('direct');
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
      linkA.punch([{ kind: 'direct', host: '127.0.0.1', port: 9 }], at, 1000, signal),
      linkB.punch([{ kind: 'direct', host: '127.0.0.1', port: a.mux.localPort }], at, 1000, signal),
    ]);
    expect(pb?.via).toEqual({ kind: 'direct', host: '127.0.0.1', port: a.mux.localPort });
    expect(pa?.via).toEqual({ kind: 'direct', host: '127.0.0.1', port: b.mux.localPort });
  });

  it('gives up after the punch window when nothing answers', async () => {
    const { linkA } = await linked();
    const started = Date.now();
    const path = await linkA.punch(
      [{ kind: 'direct', host: '127.0.0.1', port: 9 }],
      started,
      300,
      new AbortController().signal,
    );
    expect(path).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(linkA.path).toBeNull();
  });

  it('reports RTT on the live path and notices within the dead-path window when it dies', async () => {
    const { a, b, linkA, linkB, events } = await linked();
    const at = Date.now();
    const signal = new AbortController().signal;
    await Promise.all([
      linkA.punch([{ kind: 'direct', host: '127.0.0.1', port: b.mux.localPort }], at, 1000, signal),
      linkB.punch([{ kind: 'direct', host: '127.0.0.1', port: a.mux.localPort }], at, 1000, signal),
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
});
