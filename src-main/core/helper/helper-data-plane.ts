import { lookup } from 'node:dns/promises';
import { isIPv4 } from 'node:net';
import { classifyPacket } from '../../../src-shared/protocol/packet-kind.js';
import { toHex } from '../../../src-shared/protocol/bytes.js';
import {
  RELAY_DATA_HEADER_LENGTH,
  RELAY_HEADER_LENGTH,
  RelayFrameType,
} from '../../../src-shared/protocol/relay-frames.js';
import { PROTOCOL_VERSION } from '../../../src-shared/protocol/version.js';
import type { DataPlane, PeerPath } from '../paths/data-plane.js';
import { relayDataHeader } from '../relay/relay-frames-client.js';
import { HelperClient } from './helper-client.js';
import type { HelperError } from './helper-error.js';
import type { Datagram } from './helper-frames.js';
import type { HelperProcess, HelperLog } from './helper-process.js';
import type { HelperPath, HelperResult, HelperStats } from './helper-protocol.js';

/**
 * The data plane, in the helper: the one public UDP socket, the WireGuard device and its
 * interface all live in `lanrage-helper`; this object is the core's handle on them.
 *
 *   TUN ⇄ wireguard-go ⇄ Bind ⇄ public UDP socket ⇄ direct | LAN | relay(route id)   (helper, Go)
 *                                     │ ▲ everything that is not WireGuard of a known peer
 *                                     ▼ │ (STUN, probes, relay control) and our own sends
 *                              helper stdin/stdout (helper-client.ts)
 *                                     │ ▲
 *                  StunClient / ProbeEngine / RelayBinder  (here, Node)
 *
 * WireGuard packets never reach Node. The core decides (paths, relays, punching) and tells the
 * helper; a path change is one `set-path` and never touches the WireGuard session. Requests are
 * handled by the helper in the order they are written, so fire-and-forget calls (setPath,
 * acceptRoute…) keep their order with respect to each other and to addPeer.
 */
export interface DatagramHandlers {
  onStun?: (packet: Buffer, from: { address: string; port: number }) => void;
  /** A probe, with the route (hex) it came through when it arrived inside a relay DATA frame. */
  onProbe?: (
    packet: Buffer,
    from: { address: string; port: number },
    viaRoute: string | null,
  ) => void;
  /** BIND_ACKs and other relay control frames (not DATA). */
  onRelayControl?: (packet: Buffer, from: { address: string; port: number }) => void;
}

export interface HelperDataPlaneOptions {
  binaryPath: string;
  /** Command words that run the helper privileged, e.g. ['sudo', '-n'] (see helper-process.ts). */
  elevation?: readonly string[];
  interfaceName: string;
  privateKey: string;
  /** The public UDP port; 0 lets the OS pick. */
  listenPort: number;
  mtu?: number;
  handlers: DatagramHandlers;
  log: HelperLog & { debug(message: string, meta?: Record<string, unknown>): void };
  /** The helper died or broke the protocol while we were running: the tunnel is gone. */
  onFailure?: (error: HelperError) => void;
}

/** Counts of what came up from the helper and was not for anyone here. */
export interface UpStats {
  droppedUnknownKind: number;
  droppedBadRelay: number;
}

/** The virtual network is one /16 (see virtual-ip-pool.ts): later peers need no new route. */
export const VIRTUAL_PREFIX_LENGTH = 16;

export class HelperDataPlane implements DataPlane {
  readonly up: UpStats = { droppedUnknownKind: 0, droppedBadRelay: 0 };
  private closed = false;

  private constructor(
    private readonly client: HelperClient,
    private readonly process: HelperProcess,
    /** The bound public UDP port. */
    readonly localPort: number,
    readonly interfaceName: string,
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
      plane = new HelperDataPlane(client, process, opened.listenPort, opened.interface, o);
      o.log.info('WireGuard interface up', {
        ifname: opened.interface,
        listenPort: opened.listenPort,
        helperPid: process.pid,
      });
      return plane;
    } catch (error) {
      await process.stop();
      throw error;
    }
  }

  /** Gives the interface our virtual IP (the whole virtual /16 is routed to it). */
  async setAddress(virtualIp: string): Promise<void> {
    await this.client.request('set-address', {
      address: virtualIp,
      prefixLength: VIRTUAL_PREFIX_LENGTH,
    });
  }

  /**
   * Turns game discovery on or off (PROTOCOL.md, "Game discovery"): the party's broadcasts and
   * the listed multicast groups. The result says whether home-network broadcasts are copied.
   */
  async setDiscovery(
    enabled: boolean,
    multicastGroups: readonly string[],
  ): Promise<HelperResult<'set-discovery'>> {
    return this.client.request('set-discovery', { enabled, multicastGroups: [...multicastGroups] });
  }

  /** Adds (or updates) the WireGuard peer; its path starts as none. */
  async addPeer(key: string, virtualIp: string, keepaliveSeconds: number): Promise<void> {
    await this.client.request('set-peer', {
      peer: key,
      allowedIps: [`${virtualIp}/32`],
      persistentKeepalive: keepaliveSeconds,
    });
  }

  async removePeer(key: string): Promise<void> {
    if (this.closed) return;
    await this.client.request('remove-peer', { peer: key }).catch((error: HelperError) => {
      // Already gone is what we wanted.
      if (error.helperCode !== 'unknown-peer') throw error;
    });
  }

  /** Sends raw bytes from the public socket (STUN, probes, relay BINDs). */
  send(data: Uint8Array, port: number, host: string): void {
    if (this.closed) return;
    if (isIPv4(host)) {
      this.client.send({ host, port }, data);
      return;
    }
    // The helper takes addresses only; a STUN server may be configured by name.
    void lookup(host, { family: 4 }).then(
      ({ address }) => {
        if (!this.closed) this.client.send({ host: address, port }, data);
      },
      (error: Error) => this.o.log.debug('cannot resolve', { host, error: error.message }),
    );
  }

  /** Sends a probe (or anything) to a peer inside its relay route. */
  sendViaRoute(routeId: Uint8Array, payload: Uint8Array, host: string, port: number): void {
    if (this.closed) return;
    const frame = Buffer.allocUnsafe(RELAY_DATA_HEADER_LENGTH + payload.length);
    frame.set(relayDataHeader(routeId), 0);
    frame.set(payload, RELAY_DATA_HEADER_LENGTH);
    this.send(frame, port, host);
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
  acceptDirectFrom(key: string, host: string, port: number): void {
    if (!isIPv4(host)) return;
    this.fireAndForget(
      'accept-direct',
      this.client.request('accept-direct', { peer: key, host, port }),
    );
  }

  /** A path was just proven: WireGuard's pending handshake goes along it now, not in 5 s. */
  resendHandshake(key: string): void {
    this.fireAndForget('resend-handshake', this.client.request('resend-handshake', { peer: key }));
  }

  /** How many WireGuard packets from the peer reached our WireGuard (0 when unknown). */
  async wireguardFrom(key: string): Promise<number> {
    if (this.closed) return 0;
    const stats = await this.stats().catch(() => null);
    return stats?.peers.find((p) => p.peer === key)?.wireguardIn ?? 0;
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

  /** Helper → core: what is not WireGuard of a known peer, to the handler of its kind. */
  private onDatagram({ from, payload }: Datagram): void {
    const rinfo = { address: from.host, port: from.port };
    const h = this.o.handlers;
    switch (classifyPacket(payload)) {
      case 'stun':
        h.onStun?.(payload, rinfo);
        return;
      case 'probe':
        h.onProbe?.(payload, rinfo, null);
        return;
      case 'relay':
        this.onRelay(payload, rinfo);
        return;
      default:
        this.up.droppedUnknownKind++;
    }
  }

  private onRelay(frame: Buffer, rinfo: { address: string; port: number }): void {
    if (frame[5] !== RelayFrameType.Data) {
      this.o.handlers.onRelayControl?.(frame, rinfo);
      return;
    }
    // DATA comes up only when it does not carry WireGuard of a known route: a probe, or junk.
    if (frame.length < RELAY_DATA_HEADER_LENGTH || frame[4] !== PROTOCOL_VERSION) {
      this.up.droppedBadRelay++;
      return;
    }
    const payload = frame.subarray(RELAY_DATA_HEADER_LENGTH);
    if (classifyPacket(payload) !== 'probe') {
      this.up.droppedBadRelay++;
      return;
    }
    const route = frame.toString('hex', RELAY_HEADER_LENGTH, RELAY_DATA_HEADER_LENGTH);
    this.o.handlers.onProbe?.(payload, rinfo, route);
  }
}

function toWire(path: PeerPath): HelperPath {
  switch (path.kind) {
    case 'none':
      return { kind: 'none' };
    case 'relay':
      return { kind: 'relay', host: path.host, port: path.port, routeId: toHex(path.routeId) };
    default:
      return { kind: path.kind, host: path.host, port: path.port };
  }
}
