import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { classifyPacket } from '../../../src-shared/protocol/packet-kind.js';
import {
  RELAY_DATA_HEADER_LENGTH,
  RELAY_HEADER_LENGTH,
  RelayFrameType,
} from '../../../src-shared/protocol/relay-frames.js';
import { toHex } from '../../../src-shared/protocol/bytes.js';
import { PROTOCOL_VERSION } from '../../../src-shared/protocol/version.js';
import type { PeerPath } from '../net/data-plane.js';
import type { DatagramListener, PublicSocket } from '../net/public-socket.js';
import { relayDataHeaderOf } from '../relay/relay-frames-client.js';
import { systemClock, type Clock } from '../time/clock.js';

/**
 * The one public UDP socket of a client, and WireGuard's view of each peer.
 *
 *   WireGuard (listen port W, loopback only)
 *      │ peer endpoint = 127.0.0.1:Lp (one loopback socket per peer, opened here)
 *      ▼
 *   loopback socket Lp ──► current path of that peer ──► public socket ──► direct: peer endpoint
 *                                                                     └─► relay: DATA frame to relay
 *   public socket ◄── WireGuard message from a peer endpoint / relay DATA of a peer's route
 *      └─► sent from that peer's loopback socket Lp to 127.0.0.1:W
 *
 * So a peer's path moves between direct and relay by changing one field here: WireGuard keeps its
 * session and never sees an endpoint change. STUN, probes (also inside relay DATA) and relay control
 * frames on the public socket go up to the one listener (the PublicSocket seam); anything
 * unrecognised is dropped and counted. The forwarding half is the data plane that
 * loopback-data-plane.ts offers the core.
 */

export interface MuxStats {
  wireguardOut: number;
  wireguardIn: number;
  droppedUnknownSource: number;
  droppedUnknownKind: number;
  droppedNoPath: number;
}

/**
 * WireGuard sends a handshake initiation at once when a peer is configured, then waits its
 * REKEY_TIMEOUT (5 s) before trying again. The first one usually leaves before any path is proven
 * (no path yet, or a relay whose other side has not bound), and is lost: every new peer would wait
 * 5 s for its tunnel. So the mux keeps the latest initiation and sends it again the moment a path
 * is proven. A duplicate that did arrive is harmless: WireGuard drops an initiation whose timestamp
 * it has already seen.
 */
export const HANDSHAKE_RESEND_WINDOW_MS = 5_000;
const WG_HANDSHAKE_INITIATION = 1;
const WG_HANDSHAKE_INITIATION_LENGTH = 148;

interface PeerPort {
  key: string;
  lastInitiation: { data: Buffer; at: number } | null;
  /** WireGuard packets from this peer handed to our WireGuard. */
  wireguardIn: number;
  /** Where the peer's WireGuard last came from: used only while no path is set. */
  replyPath: PeerPath | null;
  socket: Socket;
  port: number;
  path: PeerPath;
  directKey: string | null;
  routeKey: string | null;
}

const endpointKey = (host: string, port: number) => `${host}:${port}`;

export interface UdpMuxOptions {
  /** Bind only this address (tests bind loopback); default: all addresses. */
  host?: string;
  clock?: Clock;
}

export class UdpMux implements PublicSocket {
  readonly stats: MuxStats = {
    wireguardOut: 0,
    wireguardIn: 0,
    droppedUnknownSource: 0,
    droppedUnknownKind: 0,
    droppedNoPath: 0,
  };
  private readonly peers = new Map<string, PeerPort>();
  private readonly byDirect = new Map<string, PeerPort>();
  private readonly byRoute = new Map<string, PeerPort>();
  private wireguardPort = 0;
  private closed = false;
  private listener: DatagramListener | null = null;

  private constructor(
    private readonly socket: Socket,
    private readonly clock: Clock,
  ) {
    socket.on('message', (msg, rinfo) => this.onPublic(msg, rinfo));
  }

  /** Binds the public socket (port 0: the OS picks) on all addresses, or `options.host`. */
  static async open(port: number, options: UdpMuxOptions = {}): Promise<UdpMux> {
    const socket = createSocket({ type: 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, options.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    // Errors on a UDP socket (ICMP unreachable on Linux) must not kill the process.
    socket.on('error', () => {});
    return new UdpMux(socket, options.clock ?? systemClock);
  }

  get localPort(): number {
    return this.socket.address().port;
  }

  /** Where WireGuard listens on loopback; WireGuard-bound traffic goes there. */
  setWireGuardPort(port: number): void {
    this.wireguardPort = port;
  }

  /** Sends raw bytes from the public socket (STUN, probes, relay BINDs). */
  send(data: Uint8Array | readonly Uint8Array[], port: number, host: string): void {
    // Late probes and rebinds may fire after shutdown; they are moot then, not errors.
    if (this.closed) return;
    this.socket.send(data as Uint8Array | Uint8Array[], port, host);
  }

  listen(listener: DatagramListener): void {
    this.listener = listener;
  }

  /** Opens the peer's loopback socket; WireGuard's endpoint for the peer is 127.0.0.1:<port>. */
  async addPeer(key: string): Promise<number> {
    const existing = this.peers.get(key);
    if (existing) return existing.port;
    const socket = createSocket({ type: 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', () => {});
    const peer: PeerPort = {
      key,
      socket,
      port: socket.address().port,
      path: { kind: 'none' },
      lastInitiation: null,
      replyPath: null,
      wireguardIn: 0,
      directKey: null,
      routeKey: null,
    };
    socket.on('message', (msg, rinfo) => this.onLoopback(peer, msg, rinfo));
    this.peers.set(key, peer);
    return peer.port;
  }

  setPath(key: string, path: PeerPath): void {
    const peer = this.peers.get(key);
    if (!peer) throw new Error(`no mux port for peer ${key}`);
    this.unindex(peer);
    peer.path = path;
    if (path.kind === 'direct') {
      peer.directKey = endpointKey(path.host, path.port);
      this.byDirect.set(peer.directKey, peer);
    } else if (path.kind === 'relay') {
      peer.routeKey = toHex(path.routeId);
      this.byRoute.set(peer.routeKey, peer);
    }
  }

  /**
   * Accept WireGuard arriving through this relay route for the peer before it becomes the path:
   * while our BIND is in flight the peer may already be sending through the route.
   */
  acceptRoute(key: string, routeId: Uint8Array): void {
    const peer = this.peers.get(key);
    if (peer) this.byRoute.set(toHex(routeId), peer);
  }

  /**
   * Also accept WireGuard from this endpoint for the peer without sending there: while a direct
   * path is being proven, the peer may already switch to it and we must not drop its packets.
   */
  acceptDirectFrom(key: string, host: string, port: number): void {
    const peer = this.peers.get(key);
    if (peer) this.byDirect.set(endpointKey(host, port), peer);
  }

  pathOf(key: string): PeerPath | null {
    return this.peers.get(key)?.path ?? null;
  }

  async removePeer(key: string): Promise<void> {
    const peer = this.peers.get(key);
    if (!peer) return;
    this.unindex(peer);
    for (const [k, p] of this.byDirect) if (p === peer) this.byDirect.delete(k);
    for (const [k, p] of this.byRoute) if (p === peer) this.byRoute.delete(k);
    this.peers.delete(key);
    await new Promise<void>((resolve) => peer.socket.close(() => resolve()));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const key of [...this.peers.keys()]) await this.removePeer(key);
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private unindex(peer: PeerPort): void {
    if (peer.directKey && this.byDirect.get(peer.directKey) === peer)
      this.byDirect.delete(peer.directKey);
    if (peer.routeKey && this.byRoute.get(peer.routeKey) === peer)
      this.byRoute.delete(peer.routeKey);
    peer.directKey = null;
    peer.routeKey = null;
  }

  /** WireGuard → peer: out along the peer's current path. */
  private onLoopback(peer: PeerPort, msg: Buffer, rinfo: RemoteInfo): void {
    // Only our own WireGuard may use this port: anything else on loopback is not a tunnel packet.
    if (rinfo.port !== this.wireguardPort || rinfo.address !== '127.0.0.1') return;
    if (msg[0] === WG_HANDSHAKE_INITIATION && msg.length === WG_HANDSHAKE_INITIATION_LENGTH) {
      peer.lastInitiation = { data: Buffer.from(msg), at: this.clock.now() };
    }
    this.sendAlongPath(peer, msg);
  }

  /** How many WireGuard packets from `key` reached our WireGuard (0 when unknown). */
  packetsFrom(key: string): number {
    return this.peers.get(key)?.wireguardIn ?? 0;
  }

  /** A path to `key` was just proven: resend WireGuard's pending handshake along it. */
  resendHandshake(key: string): void {
    const peer = this.peers.get(key);
    const pending = peer?.lastInitiation;
    if (!peer || !pending) return;
    peer.lastInitiation = null;
    if (this.clock.now() - pending.at <= HANDSHAKE_RESEND_WINDOW_MS)
      this.sendAlongPath(peer, pending.data);
  }

  private sendAlongPath(peer: PeerPort, msg: Buffer): void {
    if (this.closed) return;
    // No path chosen yet, but the peer's WireGuard reached us: answer the way it came, as
    // WireGuard itself does (otherwise our handshake response would wait for our own path).
    const path = peer.path.kind === 'none' && peer.replyPath ? peer.replyPath : peer.path;
    if (path.kind === 'direct') {
      this.socket.send(msg, path.port, path.host);
    } else if (path.kind === 'relay') {
      // Header and payload as two buffers: the kernel gathers them, no per-packet copy.
      this.socket.send([relayDataHeaderOf(path.routeId), msg], path.port, path.host);
    } else {
      this.stats.droppedNoPath++;
      return;
    }
    this.stats.wireguardOut++;
  }

  /** Public socket → STUN / probes / relay / WireGuard of a known peer. */
  private onPublic(msg: Buffer, rinfo: RemoteInfo): void {
    switch (classifyPacket(msg)) {
      case 'wireguard': {
        const peer = this.byDirect.get(endpointKey(rinfo.address, rinfo.port));
        if (peer) {
          // Only while no path is set: this is the hot path, so no allocation otherwise.
          if (peer.path.kind === 'none') {
            peer.replyPath = { kind: 'direct', host: rinfo.address, port: rinfo.port };
          }
          this.toWireGuard(peer, msg);
        } else this.stats.droppedUnknownSource++;
        return;
      }
      case 'relay':
        this.onRelay(msg, rinfo);
        return;
      case 'probe':
      case 'stun':
        this.listener?.(msg, rinfo);
        return;
      default:
        this.stats.droppedUnknownKind++;
    }
  }

  private onRelay(msg: Buffer, rinfo: RemoteInfo): void {
    if (msg[5] !== RelayFrameType.Data) {
      this.listener?.(msg, rinfo);
      return;
    }
    // The hot path of relayed traffic: read the DATA header in place (layout: relay-frames.ts)
    // instead of building a parsed frame per packet.
    if (msg.length < RELAY_DATA_HEADER_LENGTH || msg[4] !== PROTOCOL_VERSION) {
      this.stats.droppedUnknownKind++;
      return;
    }
    const payload = msg.subarray(RELAY_DATA_HEADER_LENGTH);
    const kind = classifyPacket(payload);
    if (kind === 'probe') {
      // Probes inside a route go up whole: the core reads the route from the header.
      this.listener?.(msg, rinfo);
      return;
    }
    const routeKey = msg.toString('hex', RELAY_HEADER_LENGTH, RELAY_DATA_HEADER_LENGTH);
    const peer = this.byRoute.get(routeKey);
    if (kind === 'wireguard' && peer) {
      if (peer.path.kind === 'none') {
        peer.replyPath = {
          kind: 'relay',
          host: rinfo.address,
          port: rinfo.port,
          routeId: Buffer.from(routeKey, 'hex'),
        };
      }
      this.toWireGuard(peer, payload);
    } else this.stats.droppedUnknownSource++;
  }

  private toWireGuard(peer: PeerPort, msg: Buffer): void {
    if (this.wireguardPort === 0) return;
    peer.socket.send(msg, this.wireguardPort, '127.0.0.1');
    peer.wireguardIn++;
    this.stats.wireguardIn++;
  }
}
