import { issueRouteGrant } from '../../../src-server/common/route-token-crypto.js';
import { generateKeyPair } from '../../../src-common/crypto/x25519.js';
import { formatEndpoint } from '../../../src-shared/domain/endpoint.js';
import { seededRandom } from '../../../src-shared/protocol/fuzz-bytes.js';
import type { Member, Signal } from '../../../src-shared/protocol/control-messages.js';
import { parseConfig } from '../config/config-loader.js';
import { ConnectionManager } from '../connection/connection-manager.js';
import { silentLogger } from '../../../src-common/logging/logger.js';
import { detectNat, type NatDetection } from '../nat/nat-detector.js';
import type { ProbeSockets } from '../net/public-socket.js';
import { attachSocketServices, type SocketServices } from '../net/socket-services.js';
import { RelayDirectory } from '../relay/relay-directory.js';
import { TaskManager } from '../tasks/task-manager.js';
import type { FakeClock } from '../time/fake-clock.js';
import type { MemoryHost } from './memory-internet.js';
import type { MemoryNatKind } from './memory-nat.js';
import { memoryPacketNetwork, type MemoryDataPlane } from './memory-packet-network.js';
import { RELAY_SECRET, type MemoryWorld } from './memory-world.js';

/**
 * Test support: one member's connection layer (ConnectionManager and everything under it) on a
 * host of the in-memory internet, after real NAT detection against the world's STUN server. The
 * control server's two jobs for peers are played in-process: route grants signed with the relays'
 * secret, and signals handed to the other member after a control-server hop.
 */
export const PARTY_ID = 'memorypartyid012';
/** One control-server hop for a signal (client → server → client). */
export const SIGNAL_HOP_MS = 10;
export const TEST_CONFIG = parseConfig({
  probeIntervalMs: 200,
  deadPathAfterMs: 1_000,
  monitorIntervalMs: 2_000,
});

export interface MemoryPeer {
  name: string;
  host: MemoryHost;
  keys: { publicKey: string; privateKey: string };
  nat: NatDetection;
  member: Member;
  manager: ConnectionManager;
  dataPlane: MemoryDataPlane;
  directory: RelayDirectory;
  services: SocketServices;
  /** Port probing's sockets on this member's public socket, as the connection layer gets them. */
  probeSockets: ProbeSockets | undefined;
  /** Route grants handed out to this member so far. */
  grants(): number;
  close(): Promise<void>;
}

/** Route tokens live this long unless a test says otherwise (the control server's default). */
export const TOKEN_LIFETIME_S = 600;

/** Settles `promise` while advancing the fake clock (code under test waits on its timers). */
export async function onClock<T>(
  clock: FakeClock,
  promise: Promise<T>,
  maxMs = 30_000,
): Promise<T> {
  let done = false;
  let value: { ok: true; v: T } | { ok: false; e: unknown } | null = null;
  promise.then(
    (v) => ((done = true), (value = { ok: true, v })),
    (e: unknown) => ((done = true), (value = { ok: false, e })),
  );
  await clock.until(() => done, 'the promise to settle', maxMs);
  const settled = value as { ok: true; v: T } | { ok: false; e: unknown } | null;
  if (!settled) throw new Error('unreachable');
  if (!settled.ok) throw settled.e;
  return settled.v;
}

export async function memoryPeer(
  world: MemoryWorld,
  name: string,
  host: MemoryHost,
  virtualIp: string,
  deliver: (to: string, from: string, signal: Signal) => void,
  tokenLifetimeS = TOKEN_LIFETIME_S,
  /** The router forwards this outside port to the peer's socket (a NAT-PMP mapping). */
  mappedPort: number | null = null,
): Promise<MemoryPeer> {
  let grants = 0;
  const { clock } = world;
  const keys = generateKeyPair();
  const network = memoryPacketNetwork(host, clock);
  const opened = await network.open({ listenPort: 0 });
  const services = attachSocketServices({ socket: opened.socket, keys, clock, log: silentLogger });
  const local = { host: host.ip, port: opened.socket.localPort };
  const nat = await onClock(
    clock,
    detectNat({
      servers: [
        {
          host: world.stun.endpoint.split(':')[0]!,
          port: Number(world.stun.endpoint.split(':')[1]),
        },
      ],
      client: services.stun,
      localEndpoints: [local],
    }),
  );
  const tasks = new TaskManager({ clock });
  if (mappedPort !== null && !host.nat) throw new Error(`${name}: a mapping needs a NAT`);
  if (mappedPort !== null) host.nat!.forward(mappedPort, { ip: local.host, port: local.port });
  const portMapping =
    mappedPort === null
      ? null
      : { endpoint: `${host.nat!.publicIp}:${mappedPort}`, protocol: 'nat-pmp' as const };
  const directory = new RelayDirectory({
    configured: world.relayConfig,
    defaultRelay: '203.0.113.99:7401',
    pinned: null,
    measure: world.relayLatency,
    clock,
  });
  const dataPlane = network.dataPlane();
  await onClock(clock, dataPlane.up(virtualIp));
  const manager = new ConnectionManager({
    self: {
      publicKey: keys.publicKey,
      natType: nat.natType,
      publicIp: nat.publicEndpoint?.host ?? null,
      hasIpv6: host.ipv6 !== null,
      portMapping,
      mappingTried: portMapping ? [{ protocol: 'nat-pmp', error: null }] : [],
    },
    clock,
    dataPlane,
    probes: services.probes,
    ...(opened.socket.probeSockets && { probeSockets: opened.socket.probeSockets }),
    // Port probing's random ports: seeded by the member's name, so every run probes the same.
    random: seededRandom([...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7)),
    binder: services.binder,
    relays: directory,
    tasks,
    control: {
      grant: async (partyId, peer) => {
        grants++;
        const expiresAt = Math.floor(clock.now() / 1000) + tokenLifetimeS;
        return issueRouteGrant(RELAY_SECRET, partyId, keys.publicKey, peer, expiresAt);
      },
      signal: async (_party, peer, signal) => {
        clock.setTimeout(() => deliver(peer, keys.publicKey, signal), SIGNAL_HOP_MS);
      },
      serverNow: () => clock.now(),
    },
    config: TEST_CONFIG,
    log: silentLogger,
    onChange: () => {},
  });
  manager.enterParty(PARTY_ID);
  const member: Member = {
    publicKey: keys.publicKey,
    name,
    virtualIp,
    natType: nat.natType,
    publicEndpoint: nat.publicEndpoint ? formatEndpoint(nat.publicEndpoint) : null,
    // Global IPv6 first, on the same port, as ipv6-candidates.ts offers it.
    localCandidates: [
      ...(host.ipv6 ? [formatEndpoint({ host: host.ipv6, port: local.port })] : []),
      formatEndpoint(local),
    ],
    ...(portMapping && { portMapping }),
    // What the control server would stamp: the address the member's connection comes from, its
    // NAT's public IP (the lab's control server sees the same; seen-ip.test.ts checks the stamp).
    seenIp: host.nat?.publicIp ?? host.ip,
    online: true,
    joinedAt: 0,
    lastSeen: 0,
  };
  return {
    name,
    host,
    keys,
    nat,
    member,
    manager,
    dataPlane,
    directory,
    services,
    probeSockets: opened.socket.probeSockets,
    grants: () => grants,
    close: async () => {
      await manager.dropAll();
      await tasks.shutdown();
      services.close();
    },
  };
}

/** Two members of the world, each connecting to the other. */
export async function memoryPair(
  world: MemoryWorld,
  a: { kind: MemoryNatKind; publicIp: string } | MemoryHost,
  b: { kind: MemoryNatKind; publicIp: string } | MemoryHost,
  tokenLifetimeS = TOKEN_LIFETIME_S,
  /** Outside ports the routers of a and b forward to them (port mapping), if any. */
  mapped: { a?: number; b?: number } = {},
): Promise<[MemoryPeer, MemoryPeer]> {
  const peers = new Map<string, MemoryPeer>();
  const deliver = (to: string, from: string, signal: Signal) =>
    peers.get(to)?.manager.onSignal(from, signal);
  const hostOf = (x: typeof a) => ('kind' in x ? world.internet.player(x.kind, x.publicIp)[0]! : x);
  const pa = await memoryPeer(
    world,
    'a',
    hostOf(a),
    '10.66.0.1',
    deliver,
    tokenLifetimeS,
    mapped.a ?? null,
  );
  const pb = await memoryPeer(
    world,
    'b',
    hostOf(b),
    '10.66.0.2',
    deliver,
    tokenLifetimeS,
    mapped.b ?? null,
  );
  peers.set(pa.keys.publicKey, pa);
  peers.set(pb.keys.publicKey, pb);
  await onClock(
    world.clock,
    Promise.all([pa.manager.ensure(pb.member), pb.manager.ensure(pa.member)]),
  );
  return [pa, pb];
}
