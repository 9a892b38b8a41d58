import { lookup } from 'node:dns/promises';
import { isIPv4, isIPv6 } from 'node:net';
import { toHex } from '../../../src-shared/protocol/bytes.js';
import type { DiscoveryStats } from '../discovery/discovery-helper-schemas.js';
import type { DataPlane, DataPlanePeer, DiscoverySetting, PeerPath } from '../net/data-plane.js';
import type {
  DatagramListener,
  ProbeSockets,
  PublicSocket,
  SendOptions,
} from '../net/public-socket.js';
import { icmpLatency, type LatencyProbe } from '../relay/icmp-latency.js';
import { HelperClient } from './helper-client.js';
import type { HelperError } from './helper-error.js';
import type { Datagram } from './helper-frames.js';
import type { HelperLog, HelperProcess } from './helper-process.js';
import type { HelperPath, HelperStats } from './helper-protocol.js';

/**
 * The data plane and the public socket, in the helper: the one public UDP socket, the WireGuard
 * device and its interface all live in `lanrage-helper`; this object is the core's handle on them.
 *
 *   TUN ⇄ wireguard-go ⇄ Bind ⇄ public UDP socket ⇄ direct | LAN | relay(route id)   (helper, Go)
 *                                     │ ▲ everything that is not WireGuard of a known peer
 *                                     ▼ │ (STUN, probes, relay control) and our own sends
 *                              helper stdin/stdout (helper-client.ts)
 *                                     │ ▲
 *                   datagram-router → STUN client / probe engine / relay binder   (here, Node)
 *
 * WireGuard packets never reach Node. The core decides (paths, relays, punching) and tells the
 * helper; a path change is one `set-path` and never touches the WireGuard session. The helper
 * handles requests in the order they are written, so fire-and-forget calls (setPath,
 * acceptRoute…) keep their order with respect to each other and to addPeer.
 */
export interface HelperDataPlaneOptions {
  binaryPath: string;
  /** Command words that run the helper privileged, e.g. ['sudo', '-n'] (see helper-process.ts). */
  elevation?: readonly string[];
  interfaceName: string;
  privateKey: string;
  /** The public UDP port; 0 lets the OS pick. */
  listenPort: number;
  mtu?: number;
  log: HelperLog & { debug(message: string, meta?: Record<string, unknown>): void };
  /** ICMP through the tunnel; `ping` has CAP_NET_RAW itself, so an unprivileged core can. */
  tunnelLatency?: LatencyProbe;
  /** The helper died or broke the protocol while we were running: the tunnel is gone. */
  onFailure?: (error: HelperError) => void;
  /** The user's game-discovery setting, applied once the interface exists (default: off). */
  discovery?: () => DiscoverySetting;
}

/** The virtual network is one /16 (see virtual-ip-pool.ts): later peers need no new route. */
export const VIRTUAL_PREFIX_LENGTH = 16;

export class HelperDataPlane implements DataPlane, PublicSocket {
  private closed = false;
  private listener: DatagramListener | null = null;
  /** Peers we added, so `down` can remove them all. */
  private readonly peers = new Set<string>();

  private constructor(
    private readonly client: HelperClient,
    private readonly process: HelperProcess,
    /** The bound public UDP port. */
    readonly localPort: number,
    readonly interfaceName: string,
    /**
     * The helper's public socket is dual-stack (`open` said `ipv6`): the same port takes and
     * sends IPv6, so global IPv6 candidates are offered (party/ipv6-candidates.ts). False on a
     * machine whose kernel has no IPv6: then IPv6 is neither offered nor tried.
     */
    readonly hasIpv6: boolean,
    private readonly o: HelperDataPlaneOptions,
  ) {}

  /** Starts the helper, greets it and opens the interface, the WireGuard device and the socket. */
  static async start(o: HelperDataPlaneOptions): Promise<HelperDataPlane> {
    let plane: HelperDataPlane | null = null;
    const { client, process } = await HelperClient.start({
      binaryPath: o.binaryPath,
      ...(o.elevation ? { elevation: o.elevation } : {}),
      log: o.log,
      onDatagram: (d) => plane?.onDatagram(d),
      onProbeDatagram: (d) => plane?.onDatagram(d, d.socket),
      onEvent: (e) => o.log.warn('helper reports an error', { code: e.code, error: e.message }),
      onFailure: (error) => {
        if (plane && !plane.closed) o.onFailure?.(error);
      },
    });
    try {
      const opened = await client.request('open', {
        interface: o.interfaceName,
        privateKey: o.privateKey,
        listenPort: o.listenPort,
        ...(o.mtu !== undefined ? { mtu: o.mtu } : {}),
      });
      plane = new HelperDataPlane(
        client,
        process,
        opened.listenPort,
        opened.interface,
        opened.ipv6,
        o,
      );
      o.log.info('WireGuard interface up', {
        ifname: opened.interface,
        listenPort: opened.listenPort,
        ipv6: opened.ipv6,
        helperPid: process.pid,
      });
      // Now, while the control login runs, and not awaited: its nftables step keeps the helper,
      // which handles one frame at a time, busy for 10-40 ms on a busy machine, and after a join
      // that time would hold up the first paths' relay BINDs (issue #7). It needs the interface,
      // not its address; leaving a party keeps it, and the Settings switch changes it at once.
      if (o.discovery) void plane.setDiscovery(o.discovery());
      return plane;
    } catch (error) {
      await process.stop();
      throw error;
    }
  }

  /**
   * Gives the interface our virtual IP (the whole virtual /16 is routed to it) and brings it up.
   * The interface itself exists from `open` on: it lives as long as the helper.
   */
  async up(virtualIp: string): Promise<void> {
    await this.client.request('set-address', {
      address: virtualIp,
      prefixLength: VIRTUAL_PREFIX_LENGTH,
    });
  }

  /**
   * Turns game discovery on or off (PROTOCOL.md, "Game discovery"). A failure is logged, never
   * thrown: the tunnel works without discovery, and a helper that cannot copy home broadcasts
   * (no nftables) still carries the party's own.
   */
  async setDiscovery(setting: DiscoverySetting): Promise<void> {
    const log = this.o.log;
    try {
      const result = await this.client.request('set-discovery', {
        enabled: setting.enabled,
        multicastGroups: [...setting.multicastGroups],
      });
      if (!setting.enabled) log.info('game discovery is off (config "discovery": false)');
      else if (result.homeCopies)
        log.info('game discovery on', { groups: setting.multicastGroups.join(',') });
      else
        log.warn('game discovery on, but broadcasts from this machine are not copied into it', {
          reason: result.reason,
        });
    } catch (error) {
      log.warn('game discovery could not be set up', { error: (error as Error).message });
    }
  }

  /** The helper's game-discovery counters (undefined when it reports none). */
  async discoveryStats(): Promise<DiscoveryStats | undefined> {
    if (this.closed) return undefined;
    return (await this.stats()).discovery;
  }

  /**
   * Leaving a party: every peer goes, then the interface goes down without its address, so
   * nothing is routed into it and `ip addr` shows no party address. The interface itself, the
   * WireGuard device and the public socket stay (the core may join again, from the same port);
   * they go when the helper does.
   */
  async down(): Promise<void> {
    await Promise.all([...this.peers].map((key) => this.removePeer(key)));
    if (this.closed) return;
    await this.client.request('clear-address', {});
  }

  /** Adds (or updates) the WireGuard peer; its path starts as none. */
  async addPeer(peer: DataPlanePeer): Promise<void> {
    await this.client.request('set-peer', {
      peer: peer.publicKey,
      allowedIps: [`${peer.virtualIp}/32`],
      persistentKeepalive: peer.keepaliveSeconds,
    });
    this.peers.add(peer.publicKey);
  }

  async removePeer(key: string): Promise<void> {
    this.peers.delete(key);
    if (this.closed) return;
    await this.client.request('remove-peer', { peer: key }).catch((error: HelperError) => {
      // Already gone is what we wanted.
      if (error.helperCode !== 'unknown-peer') throw error;
    });
  }

  listen(listener: DatagramListener): void {
    this.listener = listener;
  }

  /**
   * Sends one datagram from the public socket (STUN, probes, relay BINDs); parts are joined.
   * `options.ttl` rides in the helper's send frame (0 there means the socket's default), which
   * sets it on that datagram alone (hole punching's low-TTL openers, punch-schedule.ts).
   */
  send(
    parts: Uint8Array | readonly Uint8Array[],
    port: number,
    host: string,
    options?: SendOptions,
  ): void {
    if (this.closed) return;
    const data = parts instanceof Uint8Array ? parts : Buffer.concat(parts);
    const ttl = options?.ttl ?? 0;
    if (options?.socket !== undefined) {
      // Port probing's sockets are IPv4 and send to addresses only (a peer's public endpoint).
      if (isIPv4(host)) this.client.sendFromProbe(options.socket, { host, port }, data, ttl);
      return;
    }
    if (isIPv4(host) || (isIPv6(host) && this.hasIpv6)) {
      this.client.send({ host, port }, data, ttl);
      return;
    }
    if (isIPv6(host)) return; // an IPv4-only socket: never offered, so nobody waits for it
    // The helper takes addresses only; a STUN server may be configured by name.
    void lookup(host, { family: 4 }).then(
      ({ address }) => {
        if (!this.closed) this.client.send({ host: address, port }, data, ttl);
      },
      (error: Error) => this.o.log.debug('cannot resolve', { host, error: error.message }),
    );
  }

  setPath(key: string, path: PeerPath): void {
    this.fireAndForget(
      'set-path',
      this.client.request('set-path', { peer: key, path: toWire(path) }),
    );
  }

  /** Accept WireGuard through this route before it becomes the path (our BIND is in flight). */
  acceptRoute(key: string, routeId: Uint8Array): void {
    this.fireAndForget(
      'accept-route',
      this.client.request('accept-route', { peer: key, routeId: toHex(routeId) }),
    );
  }

  /** Accept WireGuard from this address without sending there (a direct path being proven). */
  acceptDirectFrom(key: string, host: string, port: number, socket?: number): void {
    if (!isIPv4(host) && !(isIPv6(host) && this.hasIpv6)) return;
    this.fireAndForget(
      'accept-direct',
      this.client.request('accept-direct', {
        peer: key,
        host,
        port,
        ...(socket !== undefined && { socket }),
      }),
    );
  }

  /**
   * The helper's probe sockets (PROTOCOL.md "Port probing"). What arrives on them comes up
   * through `listen`'s listener with `socket` set; `send` with `options.socket` sends from one.
   */
  readonly probeSockets: ProbeSockets = {
    open: async (count) => {
      const { sockets } = await this.client.request('probe-open', { count });
      return sockets.map((s) => s.socket);
    },
    close: async (indices) => {
      if (this.closed || indices.length === 0) return;
      await this.client.request('probe-close', { sockets: [...indices] });
    },
  };

  /** A path was just proven: WireGuard's pending handshake goes along it now, not in 5 s. */
  resendHandshake(key: string): void {
    this.fireAndForget('resend-handshake', this.client.request('resend-handshake', { peer: key }));
  }

  /** How many WireGuard packets from the peer reached our WireGuard (0 when unknown). */
  async packetsFrom(key: string): Promise<number> {
    if (this.closed) return 0;
    const stats = await this.stats().catch(() => null);
    return stats?.peers.find((p) => p.peer === key)?.wireguardIn ?? 0;
  }

  tunnelLatency(virtualIp: string): Promise<number | null> {
    return (this.o.tunnelLatency ?? icmpLatency)(virtualIp);
  }

  stats(): Promise<HelperStats> {
    return this.client.request('stats', {});
  }

  /** The helper's pid (tests and benchmarks measure its CPU and memory). */
  get helperPid(): number | undefined {
    return this.process.pid;
  }

  /** Removes the interface and ends the helper. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close();
    await this.process.stop();
    this.o.log.info('WireGuard interface down', { ifname: this.interfaceName });
  }

  private fireAndForget(op: string, request: Promise<unknown>): void {
    request.catch((error: HelperError) => {
      if (!this.closed) this.o.log.warn('helper request failed', { op, error: error.message });
    });
  }

  /** Helper → core: every datagram that is not WireGuard of a known peer, raw, with its source. */
  private onDatagram({ from, payload }: Datagram, socket?: number): void {
    this.listener?.(payload, {
      address: from.host,
      port: from.port,
      ...(socket !== undefined && { socket }),
    });
  }
}

function toWire(path: PeerPath): HelperPath {
  switch (path.kind) {
    case 'none':
      return { kind: 'none' };
    case 'relay':
      return { kind: 'relay', host: path.host, port: path.port, routeId: toHex(path.routeId) };
    case 'direct':
      return {
        kind: 'direct',
        host: path.host,
        port: path.port,
        ...(path.socket !== undefined && { socket: path.socket }),
      };
  }
}
