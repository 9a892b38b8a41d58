import winston from 'winston';
import { afterEach, describe, expect, it } from 'vitest';
import type { PeerStatus } from '../../../src-shared/domain/core-status.js';
import type { NatType } from '../../../src-shared/domain/nat-type.js';
import type { Member } from '../../../src-shared/protocol/control-messages.js';
import { issueRouteGrant } from '../../../src-server/common/route-token-crypto.js';
import { startRelay, type RelayHandle } from '../../../src-server/relay/relay-server.js';
import { parseConfig } from '../config/config-loader.js';
import { generateKeyPair } from '../../../src-common/crypto/x25519.js';
import { NoTunnelDataPlane } from '../testing/no-tunnel-data-plane.js';
import { attachSocketServices } from '../net/socket-services.js';
import { LoopbackUdpSocket } from '../testing/loopback-udp-socket.js';
import { systemClock } from '../time/clock.js';
import { RelayDirectory } from '../relay/relay-directory.js';
import { TaskManager } from '../tasks/task-manager.js';
import { ConnectionManager } from './connection-manager.js';

/**
 * Two connection cores on loopback with everything real below WireGuard — muxes, probes, two
 * real relay servers, route tokens — and the control server's part played in-process (grants
 * signed with the relays' secret, signals handed across). WireGuard itself is the one stand-in:
 * the NAT lab covers it. No NAT on loopback, so what is tested here is the logic: which relay,
 * relay first then direct, what happens when a relay dies.
 */
const secret = Buffer.from('connection-manager-test-secret');
const partyId = 'abcdefghij012345';
const config = parseConfig({
  probeIntervalMs: 100,
  deadPathAfterMs: 600,
  monitorIntervalMs: 1_000,
});
const quiet = winston.createLogger({ silent: true });
const cleanup: (() => Promise<void> | void)[] = [];
const SHARED_PUBLIC_IP = '127.0.0.9';

afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

interface Side {
  keys: { publicKey: string; privateKey: string };
  mux: LoopbackUdpSocket;
  manager: ConnectionManager;
  member: Member;
  directory: RelayDirectory;
}

async function side(
  nat: NatType,
  virtualIp: string,
  relays: Record<string, RelayHandle>,
  latency: Record<string, number>,
  deliver: (to: string, from: string, s: unknown) => void,
  sameNetwork = false,
) {
  const keys = generateKeyPair();
  const mux = await LoopbackUdpSocket.open();
  const services = attachSocketServices({ socket: mux, keys, clock: systemClock, log: quiet });
  const directory = new RelayDirectory({
    configured: Object.entries(relays).map(([id, r]) => ({
      id,
      endpoint: `${r.address}:${r.port}`,
    })),
    defaultRelay: '127.0.0.1:9',
    pinned: null,
    // Loopback has no distance: the ICMP probe is the seam, answering by the relay's address.
    measure: async (host) => latency[host] ?? null,
  });
  const tasks = new TaskManager();
  const member: Member = {
    publicKey: keys.publicKey,
    name: `n-${virtualIp}`,
    virtualIp,
    natType: nat,
    // Behind one "router": the same public address (a loopback port nothing answers on) and the
    // socket's real address as the LAN candidate.
    publicEndpoint: sameNetwork ? `${SHARED_PUBLIC_IP}:9` : `127.0.0.1:${mux.localPort}`,
    localCandidates: sameNetwork ? [`127.0.0.1:${mux.localPort}`] : [],
    online: true,
    joinedAt: 0,
    lastSeen: 0,
  };
  const manager = new ConnectionManager({
    self: {
      publicKey: keys.publicKey,
      natType: nat,
      publicIp: sameNetwork ? SHARED_PUBLIC_IP : `192.0.2.${virtualIp.split('.')[3]}`,
    },
    clock: systemClock,
    // WireGuard itself is the one stand-in (the helper's tests and the NAT lab cover it): the
    // socket below is real.
    dataPlane: new NoTunnelDataPlane(),
    probes: services.probes,
    binder: services.binder,
    relays: directory,
    tasks,
    control: {
      grant: async (_party, peer) =>
        issueRouteGrant(secret, partyId, keys.publicKey, peer, Math.floor(Date.now() / 1000) + 600),
      signal: async (_party, peer, s) => deliver(peer, keys.publicKey, s),
      serverNow: () => Date.now(),
    },
    config,
    log: quiet,
    onChange: () => {},
  });
  manager.enterParty(partyId);
  cleanup.push(async () => {
    await manager.dropAll();
    await tasks.shutdown();
    services.close();
    await mux.close();
  });
  return { keys, mux, manager, member, directory } satisfies Side;
}

async function pair(natA: NatType, natB: NatType, sameNetwork = false) {
  const relays: Record<string, RelayHandle> = {};
  // Two loopback addresses, so the latency seam can tell the relays apart.
  for (const [id, host] of [
    ['near', '127.0.0.2'],
    ['far', '127.0.0.3'],
  ] as const) {
    relays[id] = await startRelay({ secret, host });
    const relay = relays[id];
    cleanup.push(() => relay.close());
  }
  const sides = new Map<string, Side>();
  const deliver = (to: string, from: string, s: unknown) =>
    setImmediate(() =>
      sides.get(to)?.manager.onSignal(from, s as Parameters<ConnectionManager['onSignal']>[1]),
    );
  const latency = { '127.0.0.2': 3, '127.0.0.3': 30 };
  const a = await side(natA, '10.66.0.1', relays, latency, deliver, sameNetwork);
  const b = await side(natB, '10.66.0.2', relays, latency, deliver, sameNetwork);
  sides.set(a.keys.publicKey, a);
  sides.set(b.keys.publicKey, b);
  await Promise.all([a.manager.ensure(b.member), b.manager.ensure(a.member)]);
  return { a, b, relays };
}

async function until(check: () => boolean, what: string, ms = 8_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const peerOf = (s: Side): PeerStatus => s.manager.statuses()[0]!;

describe('ConnectionManager', () => {
  it('connects two cones directly after starting on the nearer relay', async () => {
    const { a, b } = await pair('port_restricted_cone', 'full_cone');
    await until(
      () => peerOf(a).path === 'direct' && peerOf(b).path === 'direct',
      'direct on both sides',
    );
    expect(peerOf(a).state).toBe('connected');
    expect(peerOf(a).endpoint).toBe(`127.0.0.1:${b.mux.localPort}`);
    expect(peerOf(a).latencyMs).not.toBeNull();
  });

  it('keeps two symmetric NATs on the nearer relay, both sides on the same one', async () => {
    const { a, b, relays } = await pair('symmetric', 'symmetric');
    await until(
      () => peerOf(a).latencyMs !== null && peerOf(b).latencyMs !== null,
      'RTT on both sides',
    );
    expect(peerOf(a).strategy).toBe('relay');
    expect(peerOf(a).relay).toEqual({ id: 'near', endpoint: `127.0.0.2:${relays.near!.port}` });
    expect(peerOf(b).relay?.id).toBe('near');
    expect(relays.near!.stats.snapshot().forwardedPackets).toBeGreaterThan(0);
  });

  it('moves both sides to the other relay when the relay in use dies', async () => {
    const { a, b, relays } = await pair('symmetric', 'port_restricted_cone');
    await until(() => peerOf(a).relay?.id === 'near' && peerOf(a).latencyMs !== null, 'on near');
    await relays.near!.close();
    await until(
      () =>
        peerOf(a).relay?.id === 'far' &&
        peerOf(b).relay?.id === 'far' &&
        peerOf(a).latencyMs !== null &&
        peerOf(b).latencyMs !== null,
      'both on far with RTT',
    );
    expect(peerOf(a).state).toBe('connected');
  });

  it('joins two symmetric NATs behind the same public IP over their LAN addresses', async () => {
    const { a, b } = await pair('symmetric', 'symmetric', true);
    await until(
      () => peerOf(a).path === 'lan' && peerOf(b).path === 'lan',
      'LAN path on both sides',
    );
    expect(peerOf(a).strategy).toBe('direct');
    expect(peerOf(a).endpoint).toBe(`127.0.0.1:${b.mux.localPort}`);
    expect(peerOf(a).reason).toContain('trying LAN addresses first');
  });

  it.each(['a', 'b'] as const)(
    'moves a relayed pair to the relay side %s pinned by hand, and back when the pin is cleared',
    async (who) => {
      const { a, b } = await pair('symmetric', 'symmetric');
      await until(
        () => peerOf(a).relay?.id === 'near' && peerOf(b).relay?.id === 'near',
        'on near',
      );
      const pinner = who === 'a' ? a : b;
      pinner.directory.pin('far');
      pinner.manager.relayPreferenceChanged();
      await until(
        () =>
          peerOf(a).relay?.id === 'far' &&
          peerOf(b).relay?.id === 'far' &&
          peerOf(a).latencyMs !== null,
        'both on far',
      );
      pinner.directory.pin(null);
      pinner.manager.relayPreferenceChanged();
      await until(
        () => peerOf(a).relay?.id === 'near' && peerOf(b).relay?.id === 'near',
        'back on near',
      );
    },
  );

  it('forgets a peer that is dropped', async () => {
    const { a } = await pair('open', 'open');
    await until(() => peerOf(a).latencyMs !== null, 'connected');
    await a.manager.drop(a.manager.keys()[0]!);
    expect(a.manager.statuses()).toEqual([]);
  });
});
