import type winston from 'winston';
import type { CoreStatus, RelayStatus } from '../../src-shared/domain/core-status.js';
import { formatEndpoint, parseEndpoint } from '../../src-shared/domain/endpoint.js';
import type { NatType } from '../../src-shared/domain/nat-type.js';
import type { MemberInfo } from '../../src-shared/protocol/control-messages.js';
import type { Config } from './config/config-schema.js';
import { ConnectionManager } from './connection/connection-manager.js';
import { ControlClient, ControlRequestError } from './control/control-client.js';
import { chooseStunServers, detectNat, type NatDetection } from './nat/nat-detector.js';
import { StunClient } from './nat/stun-client.js';
import { localCandidates } from './party/local-candidates.js';
import { PartyManager } from './party/party-manager.js';
import { HelperDataPlane } from './helper/helper-data-plane.js';
import type { HelperError } from './helper/helper-error.js';
import { resolveHelperPath } from './helper/helper-process.js';
import { ProbeEngine } from './paths/probe-engine.js';
import { icmpLatency } from './relay/icmp-latency.js';
import { RelayBinder } from './relay/relay-binder.js';
import { RelayDirectory } from './relay/relay-directory.js';
import { TaskManager } from './tasks/task-manager.js';
import { loadOrCreateKeys } from './wireguard/wg-keys.js';

/**
 * The connection core, composed: the WireGuard helper (the interface, WireGuard and the one public
 * UDP socket carrying STUN, probes, relay frames and WireGuard; WireGuard never enters Node); NAT
 * detection on that socket; the control-server session; relays; one PeerConnection per
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
  /**
   * The WireGuard helper died or broke the protocol while running: the tunnel is gone and nothing
   * here can carry traffic any more (there is no second data path). The owner should stop.
   */
  onFatal?: (error: HelperError) => void;
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

export class LanrageCore {
  private nat: NatDetection | null = null;
  /** The NAT type the control server was last told (null: nothing told yet). */
  private announcedNat: NatType | null = null;
  /** NAT detection, started with the core and not awaited by it; resolves when it is done. */
  natDetection: Promise<void> = Promise.resolve();
  /** Set once stop() begins: a NAT verdict arriving then starts nothing new. */
  private stopping = false;
  private state: CoreStatus['state'] = 'starting';
  private statusTimer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly o: CoreOptions,
    readonly publicKey: string,
    private readonly mux: HelperDataPlane,
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
    const tasks = new TaskManager({
      onError: (name, error) =>
        log.error('background task failed', { task: name, error: String(error) }),
    });
    // Before anything starts: a missing helper is a clear error, not a half-started core.
    const binaryPath = resolveHelperPath(o.config.helperPath);
    // The handlers reach objects created after the socket; the holder breaks the cycle.
    const h: { stun?: StunClient; probes?: ProbeEngine; binder?: RelayBinder } = {};
    let core: LanrageCore | null = null;
    const control = new ControlClient({
      url: controlWsUrl(o.config.controlUrl),
      privateKey: keys.privateKey,
      logger: o.logger.child({ area: 'control' }),
    });
    // The helper (process start, TUN, WireGuard, socket) and the control login do not depend on
    // each other: both run at once, and whichever fails first undoes the other.
    const helperStart = HelperDataPlane.start({
      binaryPath,
      elevation: o.config.helperElevation,
      interfaceName: o.config.interfaceName,
      privateKey: keys.privateKey,
      listenPort: o.config.listenPort,
      handlers: {
        onStun: (p, f) => h.stun?.handle(p, f),
        onProbe: (p, f, via) => h.probes?.handle(p, f, via),
        onRelayControl: (p, f) => h.binder?.handle(p, f),
      },
      log: o.logger.child({ area: 'wireguard' }),
      onFailure: (error) => {
        log.error('the WireGuard helper failed; the tunnel is gone', { error: error.message });
        o.onFatal?.(error);
      },
    });
    const controlStart = control.connect();
    const [helperResult, controlResult] = await Promise.allSettled([helperStart, controlStart]);
    if (helperResult.status === 'rejected' || controlResult.status === 'rejected') {
      await control.close();
      if (helperResult.status === 'fulfilled') await helperResult.value.close();
      if (helperResult.status === 'rejected') throw helperResult.reason;
      const error = (controlResult as PromiseRejectedResult).reason as unknown;
      const why = error instanceof ControlRequestError ? error.message : String(error);
      throw new CoreStartError(
        `control server ${o.config.controlUrl} is unreachable: ${why}`,
        'control-unreachable',
      );
    }
    const mux = helperResult.value;
    const binder = (h.binder = new RelayBinder({ send: (d, p, host) => mux.send(d, p, host) }));
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
    const relays = new RelayDirectory({
      configured: o.config.relays,
      defaultRelay: o.config.defaultRelay,
      pinned: o.config.pinnedRelay,
    });
    relays.setControlRelays(control.welcome?.relays ?? []);

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
        // ICMP through the tunnel: `ping` has CAP_NET_RAW itself, so an unprivileged core can.
        wireguard: { tunnelLatency: (ip) => icmpLatency(ip) },
        control: {
          grant: (peer) => control.request('route.token', { partyId: core!.partyId(), peer }),
          signal: async (peer, signal) => {
            // A peer told to punch must already know where we are: our NAT verdict may have
            // come in after we joined, so it goes to the party first.
            if (signal.kind === 'punch') await core!.announceNat();
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
      // The interface lives as long as the helper; a party gives it our address. Leaving drops
      // every peer (nothing is routed any more); the interface goes when the core stops.
      tunnel: {
        up: async (ip) => {
          await mux.setAddress(ip);
          return mux.localPort;
        },
        down: async () => {},
      },
      onWireGuardPort: () => {},
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
    // Neither waits: a party can be joined at once, and every pair starts on a relay, which works
    // whatever the NATs are. Relay distances are measured meanwhile (the first relay choice waits
    // for that round; not the built-in default relay: nothing needs it until a peer does, and it
    // may be a name to resolve). The NAT verdict, when it comes, is announced to the party, and
    // pairs whose NATs allow it then punch a direct path.
    const known = relays.candidates().some((c) => c.source !== 'default');
    if (known) void relays.measureAll();
    const started = core;
    core.natDetection = core.detectNat().then(
      () => started.natKnown(),
      (error: Error) => {
        log.warn('NAT detection failed', { error: error.message });
      },
    );
    core.state = 'idle';
    core.scheduleStatus();
    return core;
  }

  async createParty(name: string): Promise<void> {
    await this.party.create(name, this.o.config.name);
    this.state = 'in-party';
    await this.announceNat();
    this.scheduleStatus();
  }

  async joinParty(inviteCode: string): Promise<void> {
    await this.party.join(inviteCode, this.o.config.name);
    this.state = 'in-party';
    await this.announceNat();
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
    this.stopping = true;
    await this.party.leave().catch(() => {});
    this.party.detach();
    await this.tasks.shutdown();
    this.binder.close();
    this.probes.close();
    this.stun.close();
    await this.control.close();
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

  /** NAT detection finished: tell the party, and let every pair choose its strategy again. */
  private async natKnown(): Promise<void> {
    if (this.stopping) return;
    // Announce first: a punch signal we send next must not reach a peer that still thinks our
    // NAT is unknown (it would not know where to punch).
    await this.announceNat();
    if (this.stopping) return;
    this.connections.selfChanged();
    this.scheduleStatus();
  }

  /** Sends our member info again when the party was told an older NAT verdict. */
  private async announceNat(): Promise<void> {
    const party = this.party.current;
    const natType = this.nat?.natType ?? 'unknown';
    if (!party || this.announcedNat === natType) return;
    await this.control
      .request('member.update', { partyId: party.id, member: this.memberInfo() })
      .catch((error: Error) =>
        this.o.logger
          .child({ area: 'core' })
          .warn('could not announce the NAT type', { party: party.id, error: error.message }),
      );
  }

  private memberInfo(): MemberInfo {
    const natType: NatType = this.nat?.natType ?? 'unknown';
    this.announcedNat = natType;
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
