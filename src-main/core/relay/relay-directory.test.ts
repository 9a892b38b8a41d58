import { describe, expect, it } from 'vitest';
import { RelayDirectory } from './relay-directory.js';
import { icmpLatency } from './icmp-latency.js';

const relay = (id: string, endpoint: string, healthy = true) => ({
  id,
  region: 'eu',
  endpoint,
  load: 0,
  healthy,
  lastSeen: 0,
});

function directory(latencies: Record<string, number | null>, pinned: string | null = null) {
  const measured: string[] = [];
  const dir = new RelayDirectory({
    configured: [{ id: 'mine', endpoint: '192.0.2.9:7401' }],
    defaultRelay: '192.0.2.1:7401',
    pinned,
    measure: async (host) => {
      measured.push(host);
      return latencies[host] ?? null;
    },
  });
  return { dir, measured };
}

describe('RelayDirectory', () => {
  it('offers the control server’s healthy relays, then the configured ones', () => {
    const { dir } = directory({});
    dir.setControlRelays([relay('a', '192.0.2.2:7401'), relay('sick', '192.0.2.3:7401', false)]);
    expect(dir.candidates().map((c) => `${c.id}/${c.source}`)).toEqual([
      'a/control',
      'mine/config',
    ]);
  });

  it('falls back to the default relay when nothing else is known', () => {
    const dir = new RelayDirectory({
      configured: [],
      defaultRelay: '192.0.2.1:7401',
      pinned: null,
    });
    expect(dir.candidates()).toEqual([
      { id: 'default', endpoint: '192.0.2.1:7401', region: '', source: 'default' },
    ]);
  });

  it('measures every candidate and picks the nearest', async () => {
    const { dir, measured } = directory({ '192.0.2.2': 40, '192.0.2.9': 12 });
    dir.setControlRelays([relay('a', '192.0.2.2:7401')]);
    await dir.measureAll();
    expect(measured.sort()).toEqual(['192.0.2.2', '192.0.2.9']);
    expect(dir.choose()).toEqual({ id: 'mine', why: 'lowest-latency' });
    expect(dir.choose(new Set(['mine']))).toEqual({ id: 'a', why: 'lowest-latency' });
  });

  it('keeps the pinned relay until the pin is cleared', async () => {
    const { dir } = directory({ '192.0.2.2': 40, '192.0.2.9': 12 }, 'a');
    dir.setControlRelays([relay('a', '192.0.2.2:7401')]);
    await dir.measureAll();
    expect(dir.choose()?.id).toBe('a');
    dir.pin(null);
    expect(dir.choose()?.id).toBe('mine');
  });

  it('resolves a relay name to the address BIND_ACKs will come from', async () => {
    const dir = new RelayDirectory({
      configured: [{ id: 'named', endpoint: 'relay.example:7401' }],
      defaultRelay: '192.0.2.1:7401',
      pinned: null,
      resolve: async (host) => (host === 'relay.example' ? '192.0.2.77' : null),
    });
    expect(await dir.endpointOf('named')).toEqual({ id: 'named', host: '192.0.2.77', port: 7401 });
  });

  it('measures loopback with real ICMP through the system ping', async () => {
    const rtt = await icmpLatency('127.0.0.1');
    expect(rtt).not.toBeNull();
    expect(rtt!).toBeLessThan(50);
  });
});

describe('RelayDirectory after a relay failed', () => {
  it('keeps the relays it knew when the control server reports none (it just restarted)', () => {
    const { dir } = directory({});
    dir.setControlRelays([relay('a', '192.0.2.2:7401')]);
    dir.setControlRelays([]);
    expect(dir.candidates().map((c) => c.id)).toEqual(['a', 'mine']);
    dir.setControlRelays([relay('b', '192.0.2.5:7401')]);
    expect(dir.candidates().map((c) => c.id)).toEqual(['b', 'mine']);
  });

  it('passes over a relay that did not answer, for every peer, until it answers again', async () => {
    const { dir } = directory({ '192.0.2.2': 4, '192.0.2.9': 40 });
    dir.setControlRelays([relay('a', '192.0.2.2:7401')]);
    await dir.measureAll();
    dir.markUnresponsive('a');
    expect(dir.choose()?.id).toBe('mine');
    dir.markResponsive('a');
    expect(dir.choose()?.id).toBe('a');
  });

  it('still offers a failed relay when it is the only one left', async () => {
    const dir = new RelayDirectory({
      configured: [{ id: 'only', endpoint: '192.0.2.3:7401' }],
      defaultRelay: '192.0.2.1:7401',
      pinned: null,
      measure: async () => 5,
    });
    dir.markUnresponsive('only');
    expect(dir.choose()?.id).toBe('only');
  });

  it('shares one round of measurements between callers that ask at once', async () => {
    const { dir, measured } = directory({ '192.0.2.9': 12 });
    await Promise.all([dir.measureAll(), dir.measureAll(), dir.measureAll(30_000)]);
    await dir.measureAll(30_000);
    expect(measured).toEqual(['192.0.2.9']);
  });

  it('answers the first round with one echo per relay, then refines with the regular round', async () => {
    const asked: string[] = [];
    let finishRegular: (ms: number) => void = () => {};
    const regular = new Promise<number>((resolve) => (finishRegular = resolve));
    const dir = new RelayDirectory({
      configured: [{ id: 'mine', endpoint: '192.0.2.9:7401' }],
      defaultRelay: '192.0.2.1:7401',
      pinned: null,
      measure: async (host, echoes) => {
        asked.push(`${host}×${echoes}`);
        return echoes === 1 ? 14 : regular;
      },
    });
    await dir.measureFirst();
    expect(dir.latencyOf('mine')).toBe(14);
    // A choice that may reuse recent figures does not wait for the regular round under way.
    await dir.measureAll(30_000);
    expect(asked).toEqual(['192.0.2.9×1', '192.0.2.9×3']);
    expect(dir.latencyOf('mine')).toBe(14);
    // One asking for fresh figures waits for it, and starts no round of its own.
    const fresh = dir.measureAll();
    finishRegular(12);
    await fresh;
    expect(asked).toEqual(['192.0.2.9×1', '192.0.2.9×3']);
    expect(dir.latencyOf('mine')).toBe(12);
  });
});
