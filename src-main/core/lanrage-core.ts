import type { CoreStatus, RelayStatus } from '../../src-shared/domain/core-status.js';
import { formatEndpoint, parseEndpoint } from '../../src-shared/domain/endpoint.js';
import type { NatType } from '../../src-shared/domain/nat-type.js';
import type { MemberInfo } from '../../src-shared/protocol/control-messages.js';
import type { Config } from './config/config-schema.js';
import { ConnectionManager } from './connection/connection-manager.js';
import { LanrageError } from '../../src-shared/domain/lanrage-error.js';
import { ControlClient } from './control/control-client.js';
import { controlTls, type ControlTlsCheck } from './control/control-tls.js';
import { join } from 'node:path';
import type { Logger } from '../../src-common/logging/logger.js';
import { chooseStunServers, detectNat, type NatDetection } from './nat/nat-detector.js';
import type { PacketNetwork, PacketNetworkOpener } from './net/packet-network.js';
import { attachSocketServices, type SocketServices } from './net/socket-services.js';
import type { HelperError } from './helper/helper-error.js';
import { helperNetwork } from './helper/helper-network.js';
import { resolveHelperPath } from './helper/helper-process.js';
import { hasGlobalIpv6, ownCandidates as candidatesOn } from './party/ipv6-candidates.js';
import { PartyManager } from './party/party-manager.js';
import { peerDiscoveryStatus } from './discovery/peer-discovery-status.js';
import type { LatencyProbe } from './relay/icmp-latency.js';
import { RelayDirectory } from './relay/relay-directory.js';
import { TaskManager } from './tasks/task-manager.js';
import { systemClock, type Clock, type TimerHandle } from './time/clock.js';
import { loadOrCreateKeys } from './wireguard/wg-keys.js';
import { CorePortMapping } from './portmap/core-port-mapping.js';
import type { MappingProtocol } from './portmap/mapping-protocol.js';
import { routerProtocols } from './portmap/router-protocols.js';
import type { AnnouncedMapping } from '../../src-shared/domain/port-mapping.js';

export interface CoreOptions {
  config: Config;
  configDir: string;
  logger: Logger;
  /**
   * The WireGuard helper died or broke the protocol while running (default network only): the
   * tunnel is gone and there is no second data path. The owner should stop.
   */
  onFatal?: (error: HelperError) => void;
  /** Called whenever anything in `status()` may have changed. */
  onStatus?: (status: CoreStatus) => void;
  /** Persists a pin (the CLI/app writes it to the config file). */
  onPinnedRelay?: (id: string | null) => void;
  // --- seams: the defaults are the real thing; tests and the WireGuard helper replace them ---
  /** Time for every timer and timestamp of the core. Default: the system clock. */
  clock?: Clock;
  /** Opens the public socket and the data plane. Default: the WireGuard helper. */
  openNetwork?: PacketNetworkOpener;
  /** The WireGuard identity. Default: loaded from (or created in) configDir. */
  keys?: { publicKey: string; privateKey: string };
  /** RTT to a relay host. Default: ICMP through the system `ping`. */
  relayLatency?: LatencyProbe;
  /** Our LAN candidates for the public socket's port. Default: this machine's interfaces. */
  localCandidates?: (port: number) => string[];
  /** The router's port-mapping protocols, in order. Default: PCP, NAT-PMP (gateway), UPnP. */
  mappingProtocols?: () => Promise<MappingProtocol[]>;
}

function controlWsUrl(base: string): string {
  const url = new URL(base);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol === 'https:') url.protocol = 'wss:';
  url.pathname = url.pathname.replace(/\/$/, '') + '/v1/ws';
  return url.toString();
}

/** Status pushes are coalesced: a party snapshot or a burst of RTTs becomes one report. */
export const STATUS_COALESCE_MS = 50;

/** The parts the core is made of, built by `LanrageCore.start` in dependency order. */
interface CoreParts {
  publicKey: string;
  clock: Clock;
  network: PacketNetwork;
  services: SocketServices;
  control: ControlClient;
  relays: RelayDirectory;
  tasks: TaskManager;
  /** The NAT verdict: null until detection (started with the core, not awaited) finishes. */
  nat: { current: NatDetection | null };
  /** This member as the connections see it; its NAT fields are filled in with the verdict. */
  self: {
    publicKey: string;
    natType: NatType;
    publicIp: string | null;
    hasIpv6: boolean;
    portMapping: AnnouncedMapping | null;
    mappingTried: readonly { protocol: AnnouncedMapping['protocol']; error: string | null }[];
  };
  /** The public port kept mapped on the router while in a party (portmap/). */
  portMapping: CorePortMapping;
  memberInfo: () => MemberInfo;
  localCandidates: () => string[];
  /** The control channel's TLS check (null on plain ws:// to loopback). */
  controlTls: ControlTlsCheck | null;
}

/** Fingerprints of control servers' certificates trusted on first use (control-tls.ts). */
export const KNOWN_CONTROL_SERVERS_FILE = 'known-control-servers.json';

/**
 * The connection core, composed: the packet network (the public UDP socket carrying STUN, probes,
 * relay frames and WireGuard, and the data plane under WireGuard); NAT detection on that socket;
 * the control-server session; relays; one PeerConnection per member; the tunnel interface while
 * in a party. It never imports electron: the desktop app, the `lanrage` CLI, the NAT lab and the
 * in-memory tests all run this same class, built by `start`.
 */
export class LanrageCore {
  readonly publicKey: string;
  private readonly connections: ConnectionManager;
  private readonly party: PartyManager;
  private readonly changes: () => void;
  private statusTimer: TimerHandle | null = null;
  /** Leaves in flight (leaveParty, stop): the state reads "leaving" meanwhile. */
  private leaving = 0;
  private stopped = false;
  private stopping = false;
  /** The NAT type and port mapping the control server was last told (null: nothing told yet). */
  private announcedNat: string | null = null;
  /** NAT detection, started with the core and not awaited by it; resolves when it is done. */
  natDetection: Promise<void> = Promise.resolve();

  /** The control server's TLS certificate fingerprint as seen (for invite links); null on ws://. */
  get controlFingerprint(): string | null {
    return this.p.controlTls?.seenFingerprint ?? null;
  }

  private constructor(
    private readonly o: CoreOptions,
    private readonly p: CoreParts,
  ) {
    this.publicKey = p.publicKey;
    const log = o.logger;
    this.changes = () => this.scheduleStatus();
    this.connections = new ConnectionManager({
      self: p.self,
      clock: p.clock,
      dataPlane: p.network.dataPlane,
      probes: p.services.probes,
      ...(p.network.socket.probeSockets && { probeSockets: p.network.socket.probeSockets }),
      binder: p.services.binder,
      relays: p.relays,
      tasks: p.tasks,
      control: {
        grant: (partyId, peer) => p.control.request('route.token', { partyId, peer }),
        signal: async (partyId, peer, signal) => {
          // A peer told to punch must already know where we are: our NAT verdict may have come
          // in after we joined, so it goes to the party first.
          if (signal.kind === 'punch') await this.announceNat();
          await p.control.request('signal', { partyId, to: peer, signal });
        },
        serverNow: () => p.control.serverNow(),
      },
      config: o.config,
      log: log.child({ area: 'peer' }),
      onChange: this.changes,
    });
    this.party = new PartyManager({
      control: p.control,
      connections: this.connections,
      selfKey: p.publicKey,
      memberInfo: () => {
        const info = p.memberInfo();
        this.announcedNat = announcedKey(info);
        return info;
      },
      tunnel: p.network.dataPlane,
      log: log.child({ area: 'party' }),
      onChange: this.changes,
    });
    p.control.on('event', (e) => {
      if (e.event === 'relays.changed') {
        p.relays.setControlRelays(e.relays);
        this.changes();
      }
    });
    p.control.on('state', () => this.changes());
  }

  /**
   * The composition root: builds every part in dependency order — identity, packet network,
   * the services on its socket, the control session, relays, NAT verdict — then the connection
   * and party layers on top. Everything later parts need exists before they are built.
   */
  static async start(o: CoreOptions): Promise<LanrageCore> {
    const log = o.logger.child({ area: 'core' });
    const clock = o.clock ?? systemClock;
    const keys = o.keys ?? (await loadKeys(o.configDir, log));
    // Before anything starts: a missing helper is a clear error, not a half-started core.
    let fatal: ((error: HelperError) => void) | null = null;
    const open =
      o.openNetwork ??
      helperNetwork({
        binaryPath: resolveHelperPath(o.config.helperPath),
        elevation: o.config.helperElevation,
        interfaceName: o.config.interfaceName,
        privateKey: keys.privateKey,
        log: o.logger.child({ area: 'wireguard' }),
        // Read when the interface comes up: a setting changed in between applies there.
        discovery: () => ({
          enabled: o.config.discovery,
          multicastGroups: o.config.discoveryMulticastGroups,
        }),
        onFailure: (error) => {
          log.error('the WireGuard helper failed; the tunnel is gone', { error: error.message });
          fatal?.(error);
        },
      });
    let tls: ControlTlsCheck | null;
    try {
      tls = controlTls({
        url: controlWsUrl(o.config.controlUrl),
        pin: o.config.controlFingerprint,
        knownServersPath: join(o.configDir, KNOWN_CONTROL_SERVERS_FILE),
        allowInsecure: o.config.allowInsecureControl,
        warn: (message) => log.warn(message),
      });
    } catch (error) {
      throw new LanrageError('bad-config', (error as Error).message, { cause: error });
    }
    const control = new ControlClient({
      url: controlWsUrl(o.config.controlUrl),
      privateKey: keys.privateKey,
      clock,
      logger: o.logger.child({ area: 'control' }),
      tls,
    });
    // The packet network (the helper: process, TUN, WireGuard, socket) and the control login do
    // not depend on each other: both run at once, and whichever fails undoes the other.
    const [opened, connected] = await Promise.allSettled([
      open({ listenPort: o.config.listenPort }),
      control.connect(),
    ]);
    if (opened.status === 'rejected' || connected.status === 'rejected') {
      await control.close();
      if (opened.status === 'fulfilled') await opened.value.close();
      if (opened.status === 'rejected') {
        const error = opened.reason as unknown;
        if (error instanceof LanrageError) throw error;
        throw new LanrageError(
          'socket',
          `cannot open UDP port ${o.config.listenPort}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      const error = (connected as PromiseRejectedResult).reason as unknown;
      const why = error instanceof Error ? error.message : String(error);
      throw new LanrageError(
        'control-unreachable',
        `control server ${o.config.controlUrl} is unreachable: ${why}`,
        { cause: error },
      );
    }
    const network = opened.value;
    const services = attachSocketServices({
      socket: network.socket,
      keys,
      clock,
      log: o.logger,
      // BIND counters are control-server timestamps (the relay refuses stale ones).
      serverNow: () => control.serverNow(),
    });
    const tasks = new TaskManager({
      clock,
      onError: (name, error) =>
        log.error('background task failed', { task: name, error: String(error) }),
    });
    const relays = new RelayDirectory({
      configured: o.config.relays,
      defaultRelay: o.config.defaultRelay,
      pinned: o.config.pinnedRelay,
      clock,
      ...(o.relayLatency ? { measure: o.relayLatency } : {}),
    });
    relays.setControlRelays(control.welcome?.relays ?? []);
    const candidatesOf =
      o.localCandidates ?? ((port: number) => candidatesOn(port, network.socket.hasIpv6));
    const ownCandidates = () => candidatesOf(network.socket.localPort);
    const nat: { current: NatDetection | null } = { current: null };
    const self: CoreParts['self'] = {
      publicKey: keys.publicKey,
      natType: 'unknown' as NatType,
      publicIp: null as string | null,
      hasIpv6: hasGlobalIpv6(ownCandidates()),
      portMapping: null,
      // Read live: a round that maps nothing changes no mapping, but "Why relayed?" tells it.
      get mappingTried() {
        return portMapping.tried;
      },
    };
    let mappingChanged: () => void = () => {};
    const portMapping = new CorePortMapping({
      enabled: o.config.portMapping,
      clock,
      log: o.logger.child({ area: 'portmap' }),
      protocols:
        o.mappingProtocols ?? (() => routerProtocols(clock, o.logger.child({ area: 'portmap' }))),
      onChange: (mapping) => {
        self.portMapping = mapping;
        mappingChanged();
      },
    });
    const core = new LanrageCore(o, {
      publicKey: keys.publicKey,
      controlTls: tls,
      clock,
      network,
      services,
      control,
      relays,
      tasks,
      nat,
      self,
      portMapping,
      localCandidates: ownCandidates,
      memberInfo: () => ({
        portMapping: self.portMapping,
        natType: nat.current?.natType ?? 'unknown',
        publicEndpoint:
          nat.current?.publicEndpoint && !nat.current.publicEndpoint.host.includes(':')
            ? formatEndpoint(nat.current.publicEndpoint)
            : null,
        localCandidates: ownCandidates(),
      }),
    });
    fatal = (error) => o.onFatal?.(error);
    mappingChanged = () => void core.mappingChanged();
    // The background work below starts one event-loop turn later (setImmediate), so that the
    // caller's first request — a join or a create — is written before it: it spawns `ping`
    // processes, opens the port-mapping sockets and sends STUN, 5-15 ms of this thread on a busy
    // machine (issue #7), and nothing on the way to a join's first path waits for any of it.
    //
    // In parallel with everything else, never awaited: the mapping is announced when it comes.
    // Neither waits: a party can be joined at once, and every pair starts on a relay, which works
    // whatever the NATs are. Relay distances are measured meanwhile (the first relay choice waits
    // for that round, of one echo per relay — see measureFirst; not the built-in default relay: nothing needs it until a peer does, and it
    // may be a name to resolve). The NAT verdict, when it comes, is announced to the party, and
    // pairs whose NATs allow it then punch a direct path.
    const known = relays.candidates().some((c) => c.source !== 'default');
    core.natDetection = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      if (core.stopping) return;
      portMapping.start(network.socket.localPort);
      if (known) void relays.measureFirst();
      return detectNat({
        servers: chooseStunServers(control.stunServers, o.config.stunServers),
        client: services.stun,
        localEndpoints: ownCandidates()
          .map((t) => parseEndpoint(t))
          .flatMap((r) => (r.ok ? [r.value] : [])),
        logger: o.logger.child({ area: 'nat' }),
      }).then(
        (verdict) => {
          nat.current = verdict;
          self.natType = verdict.natType;
          self.publicIp = verdict.publicEndpoint?.host ?? null;
          return core.natKnown();
        },
        (error: Error) => {
          log.warn('NAT detection failed', { error: error.message });
        },
      );
    });
    core.scheduleStatus();
    return core;
  }

  /** Derived, never stored: a party means "in-party", whatever else happened. */
  get state(): CoreStatus['state'] {
    if (this.stopped) return 'stopped';
    if (this.leaving > 0) return 'leaving';
    return this.party.current ? 'in-party' : 'idle';
  }

  async createParty(name: string): Promise<void> {
    // The request is written first, then the port mapping (leaving stopped it) starts.
    const created = this.party.create(name, this.o.config.name);
    this.p.portMapping.start(this.p.network.socket.localPort);
    await created;
    await this.announceNat();
    this.scheduleStatus();
  }

  async joinParty(inviteCode: string): Promise<void> {
    const joined = this.party.join(inviteCode, this.o.config.name);
    this.p.portMapping.start(this.p.network.socket.localPort);
    await joined;
    await this.announceNat();
    this.scheduleStatus();
  }

  async leaveParty(): Promise<void> {
    this.leaving++;
    try {
      await this.party.leave();
    } finally {
      this.leaving--;
      this.scheduleStatus();
    }
    // Nobody needs the mapped port outside a party: it is deleted on the router.
    await this.p.portMapping.stop();
  }

  /** Measures every relay now and reports them, the ones in use marked. */
  async relayStatuses(measure = true): Promise<RelayStatus[]> {
    if (measure) await this.p.relays.measureAll();
    const inUse = new Set(
      this.connections
        .statuses()
        .map((p) => p.relay?.id)
        .filter((id): id is string => typeof id === 'string'),
    );
    return this.p.relays.statuses(inUse);
  }

  /** Pins a relay by hand (null: back to automatic); kept until cleared. */
  pinRelay(id: string | null): void {
    if (id !== null && !this.p.relays.candidates().some((c) => c.id === id)) {
      throw new LanrageError(
        'unknown-relay',
        `no relay "${id}"; known: ${this.p.relays
          .candidates()
          .map((c) => c.id)
          .join(', ')}`,
      );
    }
    this.p.relays.pin(id);
    this.o.onPinnedRelay?.(id);
    // A user who picks a relay expects the switch now, not at the next relay failure.
    this.connections.relayPreferenceChanged();
    this.scheduleStatus();
  }

  status(): CoreStatus {
    const { control } = this.p;
    const nat = this.p.nat.current;
    return {
      state: this.state,
      control:
        control.state === 'ready'
          ? 'connected'
          : control.state === 'reconnecting'
            ? 'reconnecting'
            : control.state === 'closed'
              ? 'offline'
              : 'connecting',
      party: this.party.current,
      self: {
        id: this.publicKey,
        name: this.o.config.name,
        virtualIp: this.party.ownVirtualIp,
        natType: nat?.natType ?? 'unknown',
        publicEndpoint: nat?.publicEndpoint ? formatEndpoint(nat.publicEndpoint) : null,
        localCandidates: this.p.localCandidates(),
        portMapping: this.p.self.portMapping,
      },
      peers: this.connections.statuses(),
    };
  }

  /**
   * The discovery setting in the config changed (Settings): the helper follows at once, in a party
   * or not (its interface exists from the core's start and keeps the setting across parties).
   */
  async discoverySettingChanged(): Promise<void> {
    if (this.stopped) return;
    await this.p.network.dataPlane.setDiscovery?.({
      enabled: this.o.config.discovery,
      multicastGroups: this.o.config.discoveryMulticastGroups,
    });
  }

  /** status() with each peer's game-discovery counters, read from the helper. */
  async statusWithCounters(): Promise<CoreStatus> {
    const status = this.status();
    const stats = await this.p.network.dataPlane.discoveryStats?.().catch(() => undefined);
    for (const peer of status.peers) peer.discovery = peerDiscoveryStatus(stats, peer.id);
    return status;
  }

  /** Leaves the party (if any) and releases everything: nothing runs after this resolves. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopping = true;
    const log = this.o.logger.child({ area: 'core' });
    this.leaving++;
    try {
      await this.party.leave();
    } catch (error) {
      // Quitting goes on regardless: the server expires a member it no longer hears from.
      log.warn('leaving the party while stopping failed', { error: (error as Error).message });
    } finally {
      this.leaving--;
    }
    this.party.detach();
    // Before the socket closes: the router forgets the mapping now, not at its lifetime's end.
    await this.p.portMapping.stop();
    await this.p.tasks.shutdown();
    this.p.services.close();
    await this.p.control.close();
    await this.p.network.close();
    if (this.statusTimer !== null) this.p.clock.clearTimeout(this.statusTimer);
    this.statusTimer = null;
    this.stopped = true;
  }

  /** NAT detection finished: tell the party, then let every pair choose its strategy again. */
  private async natKnown(): Promise<void> {
    if (this.stopping) return;
    // Announce first: a punch signal we send next must not reach a peer that still thinks our
    // NAT is unknown (it would not know where to punch).
    await this.announceNat();
    if (this.stopping) return;
    this.connections.selfChanged();
    this.scheduleStatus();
  }

  /** The router mapped our port, moved it or lost it: tell the party, then choose paths again. */
  private async mappingChanged(): Promise<void> {
    if (this.stopping) return;
    await this.announceNat();
    if (this.stopping) return;
    this.connections.selfChanged();
    this.scheduleStatus();
  }

  /** Sends our member info again when the party was told an older NAT verdict or mapping. */
  private async announceNat(): Promise<void> {
    const party = this.party.current;
    const member = this.p.memberInfo();
    if (!party || this.announcedNat === announcedKey(member)) return;
    this.announcedNat = announcedKey(member);
    await this.p.control
      .request('member.update', { partyId: party.id, member })
      .catch((error: Error) =>
        this.o.logger
          .child({ area: 'core' })
          .warn('could not announce the NAT type', { party: party.id, error: error.message }),
      );
  }

  private scheduleStatus(): void {
    // Many changes arrive together (a party snapshot, a burst of RTTs): report once per tick.
    if (this.statusTimer !== null || !this.o.onStatus || this.stopped) return;
    this.statusTimer = this.p.clock.setTimeout(() => {
      this.statusTimer = null;
      this.o.onStatus?.(this.status());
    }, STATUS_COALESCE_MS);
  }
}

/** What of our member info the party must hear again when it changes. */
function announcedKey(info: MemberInfo): string {
  return `${info.natType} ${info.portMapping?.protocol ?? '-'} ${info.portMapping?.endpoint ?? '-'}`;
}

async function loadKeys(
  configDir: string,
  log: Logger,
): Promise<{ publicKey: string; privateKey: string }> {
  const keys = await loadOrCreateKeys(configDir);
  log.info(keys.created ? 'created WireGuard identity' : 'loaded WireGuard identity', {
    publicKey: keys.publicKey,
  });
  return keys;
}
