import type winston from 'winston';
import type { CoreStatus, RelayStatus } from '../../src-shared/domain/core-status.js';
import { formatEndpoint, parseEndpoint } from '../../src-shared/domain/endpoint.js';
import type { NatType } from '../../src-shared/domain/nat-type.js';
import { join } from 'node:path';
import type { MemberInfo } from '../../src-shared/protocol/control-messages.js';
import type { Config } from './config/config-schema.js';
import { ConnectionManager } from './connection/connection-manager.js';
import { ControlClient, ControlRequestError } from './control/control-client.js';
import { controlTls, type ControlTlsCheck } from './control/control-tls.js';
import { chooseStunServers, detectNat, type NatDetection } from './nat/nat-detector.js';
import { StunClient } from './nat/stun-client.js';
import { localCandidates } from './party/local-candidates.js';
import { PartyManager } from './party/party-manager.js';
import { ProbeEngine } from './paths/probe-engine.js';
import { UdpMux } from './paths/udp-mux.js';
import { RelayBinder } from './relay/relay-binder.js';
import { RelayDirectory } from './relay/relay-directory.js';
import { TaskManager } from './tasks/task-manager.js';
import { loadOrCreateKeys } from './wireguard/wg-keys.js';
import { NetworkManager } from './wireguard/network-manager.js';
import type { WireGuardInterfaceOptions } from './wireguard/wireguard-interface.js';

/**
 * The connection core, composed: one public UDP socket (mux) carrying STUN, probes, relay frames
 * and WireGuard; NAT detection on it; the control-server session; relays; one PeerConnection per
 * member; the WireGuard interface while in a party. It never imports electron: the desktop app,
 * the `lanrage` CLI and the NAT lab all run this same class.
 */
export class CoreStartError extends Error {
  constructor(
    message: string,
    readonly code: 'control-unreachable' | 'bad-config' | 'socket',
  ) {
    super(message);
    this.name = 'CoreStartError';
  }
}

export interface CoreOptions {
  config: Config;
  configDir: string;
  logger: winston.Logger;
  /** Paths and overrides for the WireGuard tools (tests, the lab). */
  wireguard?: Partial<Omit<WireGuardInterfaceOptions, 'privateKey' | 'address' | 'name'>>;
  /** Called whenever anything in `status()` may have changed. */
  onStatus?: (status: CoreStatus) => void;
  /** Persists a pin (the CLI/app writes it to the config file). */
  onPinnedRelay?: (id: string | null) => void;
}

function controlWsUrl(base: string): string {
  const url = new URL(base);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol === 'https:') url.protocol = 'wss:';
  url.pathname = url.pathname.replace(/\/$/, '') + '/v1/ws';
  return url.toString();
}

/** Fingerprints of control servers' certificates trusted on first use (control-tls.ts). */
export const KNOWN_CONTROL_SERVERS_FILE = 'known-control-servers.json';

export class LanrageCore {
  private controlTlsCheck: ControlTlsCheck | null = null;

  /** The control server's TLS certificate fingerprint as seen (for invite links); null on ws://. */
  get controlFingerprint(): string | null {
    return this.controlTlsCheck?.seenFingerprint ?? null;
  }

  private nat: NatDetection | null = null;
  private state: CoreStatus['state'] = 'starting';
  private statusTimer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly o: CoreOptions,
    readonly publicKey: string,
    private readonly network: NetworkManager,
    private readonly mux: UdpMux,
    private readonly stun: StunClient,
    private readonly probes: ProbeEngine,
    private readonly binder: RelayBinder,
    private readonly control: ControlClient,
    private readonly relays: RelayDirectory,
    private readonly tasks: TaskManager,
    private readonly connections: ConnectionManager,
    private readonly party: PartyManager,
  ) {}

  static async start(o: CoreOptions): Promise<LanrageCore> {
    const log = o.logger.child({ area: 'core' });
    const keys = await loadOrCreateKeys(o.configDir);
    log.info(keys.created ? 'created WireGuard identity' : 'loaded WireGuard identity', {
      publicKey: keys.publicKey,
    });
    const network = new NetworkManager({
      privateKey: keys.privateKey,
      interfaceName: o.config.interfaceName,
      log: o.logger.child({ area: 'wireguard' }),
      ...(o.wireguard ? { wireguard: o.wireguard } : {}),
    });
    const tasks = new TaskManager({
      onError: (name, error) =>
        log.error('background task failed', { task: name, error: String(error) }),
    });
    // The handlers reach objects created after the socket; the holder breaks the cycle.
    const h: { stun?: StunClient; probes?: ProbeEngine; binder?: RelayBinder } = {};
    let mux: UdpMux;
    try {
      mux = await UdpMux.open(o.config.listenPort, {
        onStun: (p, f) => h.stun?.handle(p, f),
        onProbe: (p, f, via) => h.probes?.handle(p, f, via),
        onRelayControl: (p, f) => h.binder?.handle(p, f),
      });
    } catch (error) {
      throw new CoreStartError(
        `cannot open UDP port ${o.config.listenPort}: ${(error as Error).message}`,
        'socket',
      );
    }
    // BIND counters are control-server timestamps; the control client exists by the time we bind.
    let controlClock: () => number = Date.now;
    const binder = (h.binder = new RelayBinder({
      send: (d, p, host) => mux.send(d, p, host),
      serverNow: () => controlClock(),
    }));
    const stun = (h.stun = new StunClient({
      send: (d, p, host) => mux.send(d, p, host),
      logger: o.logger.child({ area: 'stun' }),
    }));
    const probes = (h.probes = new ProbeEngine({
      privateKey: keys.privateKey,
      publicKey: keys.publicKey,
      transport: mux,
      routeEndpoint: (hex) => {
        const relay = binder.relayOf(hex);
        return relay
          ? { host: relay.host, port: relay.port, routeId: Buffer.from(hex, 'hex') }
          : null;
      },
    }));
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
      await mux.close();
      throw new CoreStartError((error as Error).message, 'bad-config');
    }
    const control = new ControlClient({
      url: controlWsUrl(o.config.controlUrl),
      privateKey: keys.privateKey,
      logger: o.logger.child({ area: 'control' }),
      tls,
    });
    controlClock = () => control.serverNow();
    try {
      await control.connect();
    } catch (error) {
      await control.close();
      await mux.close();
      const why = error instanceof ControlRequestError ? error.message : String(error);
      throw new CoreStartError(
        `control server ${o.config.controlUrl} is unreachable: ${why}`,
        'control-unreachable',
      );
    }
    const relays = new RelayDirectory({
      configured: o.config.relays,
      defaultRelay: o.config.defaultRelay,
      pinned: o.config.pinnedRelay,
    });
    relays.setControlRelays(control.welcome?.relays ?? []);

    let core: LanrageCore | null = null;
    const onChange = () => core?.scheduleStatus();
    const connections = new ConnectionManager(
      {
        self: () => ({
          publicKey: keys.publicKey,
          natType: core?.nat?.natType ?? 'unknown',
          publicIp: core?.nat?.publicEndpoint?.host ?? null,
        }),
        mux,
        probes,
        binder,
        relays,
        tasks,
        wireguard: {
          setPeer: (peer) => network.setPeer(peer),
          removePeer: (key) => network.removePeer(key),
          tunnelLatency: (ip) => network.tunnelLatency(ip),
        },
        control: {
          grant: (peer) => control.request('route.token', { partyId: core!.partyId(), peer }),
          signal: async (peer, signal) => {
            await control.request('signal', { partyId: core!.partyId(), to: peer, signal });
          },
          serverNow: () => control.serverNow(),
        },
        config: o.config,
        log: o.logger.child({ area: 'peer' }),
        onChange,
      },
      tasks,
    );
    probes.onPing((ping) => {
      if (ping.via.kind !== 'direct') return;
      // An authenticated ping proves the address is the peer's: accept its WireGuard from there
      // too, so a path the peer already switched to never drops packets while we catch up.
      mux.acceptDirectFrom(ping.peer, ping.via.host, ping.via.port);
      connections.heardFrom(ping.peer, { host: ping.via.host, port: ping.via.port });
    });
    const party = new PartyManager({
      control,
      connections,
      selfKey: keys.publicKey,
      memberInfo: () => core!.memberInfo(),
      tunnel: {
        up: (ip) => network.up(ip),
        down: () => network.down(),
      },
      onWireGuardPort: (port) => mux.setWireGuardPort(port),
      log: o.logger.child({ area: 'party' }),
      onChange,
    });
    control.on('event', (e) => {
      if (e.event === 'relays.changed') {
        relays.setControlRelays(e.relays);
        onChange();
      }
    });
    control.on('state', () => onChange());
    core = new LanrageCore(
      o,
      keys.publicKey,
      network,
      mux,
      stun,
      probes,
      binder,
      control,
      relays,
      tasks,
      connections,
      party,
    );
    core.controlTlsCheck = tls;
    // Relay distances are measured while NAT detection runs: the first peer needs both. (Not the
    // built-in default relay: nothing needs it until a peer does, and it may be a name to resolve.)
    const known = relays.candidates().some((c) => c.source !== 'default');
    const measuring = known ? relays.measureAll() : Promise.resolve();
    await core.detectNat();
    await measuring;
    // A stale interface from a crash would make `up` fail later; clear it now.
    if (await network.cleanupStale()) {
      log.warn('removed a stale WireGuard interface', { ifname: o.config.interfaceName });
    }
    core.state = 'idle';
    core.scheduleStatus();
    return core;
  }

  async createParty(name: string): Promise<void> {
    await this.party.create(name, this.o.config.name);
    this.state = 'in-party';
    this.scheduleStatus();
  }

  async joinParty(inviteCode: string): Promise<void> {
    await this.party.join(inviteCode, this.o.config.name);
    this.state = 'in-party';
    this.scheduleStatus();
  }

  async leaveParty(): Promise<void> {
    this.state = 'leaving';
    await this.party.leave();
    this.state = 'idle';
    this.scheduleStatus();
  }

  /** Measures every relay now and reports them, the ones in use marked. */
  async relayStatuses(measure = true): Promise<RelayStatus[]> {
    if (measure) await this.relays.measureAll();
    const inUse = new Set(
      this.connections
        .statuses()
        .map((p) => p.relay?.id)
        .filter((id): id is string => typeof id === 'string'),
    );
    return this.relays.statuses(inUse);
  }

  /** Pins a relay by hand (null: back to automatic); kept until cleared. */
  pinRelay(id: string | null): void {
    if (id !== null && !this.relays.candidates().some((c) => c.id === id)) {
      throw new Error(
        `no relay "${id}"; known: ${this.relays
          .candidates()
          .map((c) => c.id)
          .join(', ')}`,
      );
    }
    this.relays.pin(id);
    this.o.onPinnedRelay?.(id);
    // A user who picks a relay expects the switch now, not at the next relay failure.
    this.connections.relayPreferenceChanged();
    this.scheduleStatus();
  }

  status(): CoreStatus {
    const nat = this.nat;
    return {
      state: this.state,
      control:
        this.control.state === 'ready'
          ? 'connected'
          : this.control.state === 'reconnecting'
            ? 'reconnecting'
            : this.control.state === 'closed'
              ? 'offline'
              : 'connecting',
      party: this.party.current,
      self: {
        id: this.publicKey,
        name: this.o.config.name,
        virtualIp: this.party.ownVirtualIp,
        natType: nat?.natType ?? 'unknown',
        publicEndpoint: nat?.publicEndpoint ? formatEndpoint(nat.publicEndpoint) : null,
        localCandidates: localCandidates(this.mux.localPort),
      },
      peers: this.connections.statuses(),
    };
  }

  /** Leaves the party (if any) and releases everything: nothing runs after this resolves. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    await this.party.leave().catch(() => {});
    this.party.detach();
    await this.tasks.shutdown();
    this.binder.close();
    this.probes.close();
    this.stun.close();
    await this.control.close();
    await this.network.down();
    await this.mux.close();
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.state = 'stopped';
  }

  private async detectNat(): Promise<void> {
    const local = localCandidates(this.mux.localPort)
      .map((t) => parseEndpoint(t))
      .flatMap((r) => (r.ok ? [r.value] : []));
    this.nat = await detectNat({
      servers: chooseStunServers(this.control.stunServers, this.o.config.stunServers),
      client: this.stun,
      localEndpoints: local,
      logger: this.o.logger.child({ area: 'nat' }),
    });
  }

  private memberInfo(): MemberInfo {
    const natType: NatType = this.nat?.natType ?? 'unknown';
    return {
      natType,
      publicEndpoint:
        this.nat?.publicEndpoint && !this.nat.publicEndpoint.host.includes(':')
          ? formatEndpoint(this.nat.publicEndpoint)
          : null,
      localCandidates: localCandidates(this.mux.localPort),
    };
  }

  private partyId(): string {
    const party = this.party.current;
    if (!party) throw new Error('not in a party');
    return party.id;
  }

  private scheduleStatus(): void {
    // Many changes arrive together (a party snapshot, a burst of RTTs): report once per tick.
    if (this.statusTimer || !this.o.onStatus) return;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = null;
      this.o.onStatus?.(this.status());
    }, 50);
  }
}
