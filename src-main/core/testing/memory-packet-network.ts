import { classifyPacket } from '../../../src-shared/protocol/packet-kind.js';
import {
  isRelayData,
  RELAY_DATA_PAYLOAD_OFFSET,
  relayRouteKeyOf,
} from '../../../src-shared/protocol/relay-frames.js';
import type { DataPlane, DataPlanePeer, PeerPath } from '../net/data-plane.js';
import type { PacketNetworkOpener } from '../net/packet-network.js';
import {
  MAX_PROBE_SOCKETS,
  type DatagramListener,
  type DatagramSource,
  type ProbeSockets,
  type PublicSocket,
  type SendOptions,
} from '../net/public-socket.js';
import { relayDataHeaderOf } from '../relay/relay-frames-client.js';
import type { Clock, TimerHandle } from '../time/clock.js';
import type { MemoryHost, MemorySocket } from './memory-internet.js';

/**
 * The core's packet network on a host of the in-memory internet: the public socket is a memory
 * socket, and the data plane is a small stand-in for WireGuard that carries its own "tunnel pings"
 * (datagrams shaped like WireGuard data messages) along each peer's path — so a test sees whether
 * a path really carries tunnel traffic both ways, with the same accept rules as the WireGuard helper: a peer's
 * WireGuard is taken only from its path, an address it was accepted from, or its relay routes.
 */

/** How long bringing the interface up takes (wireguard-go starts in about this): events that
 * arrive meanwhile are what PartyManager must hold. */
export const MEMORY_TUNNEL_UP_MS = 200;
/** A tunnel ping unanswered this long counts as lost (as the ICMP check's one-second timeout). */
export const MEMORY_TUNNEL_PING_TIMEOUT_MS = 1_000;

/** WireGuard data message type 4 + three zero bytes, then our marker and a sequence number. */
const TUNNEL_PING = 0x50;
const TUNNEL_PONG = 0x51;
const TUNNEL_PACKET_LENGTH = 9;

interface MemoryPeer {
  publicKey: string;
  virtualIp: string;
  path: PeerPath;
  replyPath: PeerPath | null;
  packetsIn: number;
  handshakeResends: number;
}

export class MemoryDataPlane implements DataPlane {
  private readonly peers = new Map<string, MemoryPeer>();
  private readonly byDirect = new Map<string, MemoryPeer>();
  private readonly byRoute = new Map<string, MemoryPeer>();
  private readonly pings = new Map<
    number,
    { resolve: (rtt: number | null) => void; sentAt: number; timer: TimerHandle }
  >();
  private nextSeq = 1;
  /** Our virtual IP while the interface is up. */
  virtualIp: string | null = null;
  /** Port probing's extra sockets, by index (MemoryProbeSockets fills it). */
  readonly probeSockets = new Map<number, MemorySocket>();

  constructor(
    private readonly socket: MemorySocket,
    private readonly clock: Clock,
  ) {}

  /** Whether a peer's path uses probe socket `index` (it may not be closed then). */
  carriesPath(index: number): boolean {
    return [...this.peers.values()].some(
      (p) => p.path.kind === 'direct' && p.path.socket === index,
    );
  }
  /** Set by a test: the next `up` fails with this, as a helper that cannot address its TUN. */
  failNextUp: Error | null = null;

  async up(virtualIp: string): Promise<void> {
    await new Promise<void>((resolve) => this.clock.setTimeout(resolve, MEMORY_TUNNEL_UP_MS));
    const failure = this.failNextUp;
    this.failNextUp = null;
    if (failure) throw failure;
    this.virtualIp = virtualIp;
  }

  async down(): Promise<void> {
    this.virtualIp = null;
  }

  async addPeer(peer: DataPlanePeer): Promise<void> {
    if (this.peers.has(peer.publicKey)) return;
    this.peers.set(peer.publicKey, {
      publicKey: peer.publicKey,
      virtualIp: peer.virtualIp,
      path: { kind: 'none' },
      replyPath: null,
      packetsIn: 0,
      handshakeResends: 0,
    });
  }

  setPath(publicKey: string, path: PeerPath): void {
    const peer = this.peers.get(publicKey);
    if (!peer) throw new Error(`no data-plane peer ${publicKey}`);
    if (path.kind === 'direct' && path.socket !== undefined && !this.probeSockets.has(path.socket))
      throw new Error(`probe socket ${path.socket} is not open`);
    peer.path = path;
    if (path.kind === 'direct')
      this.byDirect.set(directKey(path.host, path.port, path.socket), peer);
    if (path.kind === 'relay') this.byRoute.set(Buffer.from(path.routeId).toString('hex'), peer);
  }

  acceptRoute(publicKey: string, routeId: Uint8Array): void {
    const peer = this.peers.get(publicKey);
    if (peer) this.byRoute.set(Buffer.from(routeId).toString('hex'), peer);
  }

  acceptDirectFrom(publicKey: string, host: string, port: number, socket?: number): void {
    const peer = this.peers.get(publicKey);
    if (peer) this.byDirect.set(directKey(host, port, socket), peer);
  }

  resendHandshake(publicKey: string): void {
    const peer = this.peers.get(publicKey);
    if (peer) peer.handshakeResends++;
  }

  packetsFrom(publicKey: string): Promise<number> {
    return Promise.resolve(this.peers.get(publicKey)?.packetsIn ?? 0);
  }

  /** The peer's current path, for tests. */
  pathOf(publicKey: string): PeerPath | null {
    return this.peers.get(publicKey)?.path ?? null;
  }

  tunnelLatency(virtualIp: string): Promise<number | null> {
    const peer = [...this.peers.values()].find((p) => p.virtualIp === virtualIp);
    if (!peer || this.virtualIp === null) return Promise.resolve(null);
    const seq = this.nextSeq++;
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.pings.delete(seq);
        resolve(null);
      }, MEMORY_TUNNEL_PING_TIMEOUT_MS);
      this.pings.set(seq, { resolve, sentAt: this.clock.nowPrecise(), timer });
      this.sendTunnel(peer, TUNNEL_PING, seq);
    });
  }

  async removePeer(publicKey: string): Promise<void> {
    const peer = this.peers.get(publicKey);
    if (!peer) return;
    this.peers.delete(publicKey);
    for (const [k, p] of this.byDirect) if (p === peer) this.byDirect.delete(k);
    for (const [k, p] of this.byRoute) if (p === peer) this.byRoute.delete(k);
  }

  /** @internal a WireGuard-shaped datagram arrived directly, or inside relay route `route`. */
  receive(packet: Buffer, from: DatagramSource, route: string | null): void {
    const peer =
      route === null
        ? this.byDirect.get(directKey(from.address, from.port, from.socket))
        : this.byRoute.get(route);
    if (!peer || packet.length < TUNNEL_PACKET_LENGTH) return;
    peer.packetsIn++;
    if (peer.path.kind === 'none') {
      peer.replyPath =
        route === null
          ? {
              kind: 'direct',
              host: from.address,
              port: from.port,
              ...(from.socket !== undefined && { socket: from.socket }),
            }
          : {
              kind: 'relay',
              host: from.address,
              port: from.port,
              routeId: Buffer.from(route, 'hex'),
            };
    }
    const seq = packet.readUInt32BE(5);
    if (packet[4] === TUNNEL_PING && this.virtualIp !== null)
      this.sendTunnel(peer, TUNNEL_PONG, seq);
    else if (packet[4] === TUNNEL_PONG) {
      const ping = this.pings.get(seq);
      if (!ping) return;
      this.pings.delete(seq);
      this.clock.clearTimeout(ping.timer);
      ping.resolve(this.clock.nowPrecise() - ping.sentAt);
    }
  }

  private sendTunnel(peer: MemoryPeer, kind: number, seq: number): void {
    const packet = Buffer.alloc(TUNNEL_PACKET_LENGTH);
    packet[0] = 4;
    packet[4] = kind;
    packet.writeUInt32BE(seq, 5);
    const path = peer.path.kind === 'none' && peer.replyPath ? peer.replyPath : peer.path;
    if (path.kind === 'direct') {
      const socket = path.socket === undefined ? this.socket : this.probeSockets.get(path.socket);
      socket?.send(packet, path.port, path.host);
    } else if (path.kind === 'relay')
      this.socket.send([relayDataHeaderOf(path.routeId), packet], path.port, path.host);
  }
}

/** The public socket of a memory host, with the data plane taking WireGuard as the WireGuard helper does. */
class MemoryPublicSocket implements PublicSocket {
  private listener: DatagramListener | null = null;
  /** The host has a global IPv6 address: the socket takes IPv6 on the same port (dual-stack). */
  readonly hasIpv6: boolean;

  constructor(
    private readonly socket: MemorySocket,
    private readonly dataPlane: MemoryDataPlane,
  ) {
    this.hasIpv6 = socket.host.ipv6 !== null;
    socket.onMessage((packet, from) => this.receive(packet, from));
  }

  get localPort(): number {
    return this.socket.port;
  }

  /**
   * A per-send TTL is not modelled: every packet reaches its destination, so a punch's low-TTL
   * openers arrive too (the memory NATs drop them as unsolicited, as a firewalled router would).
   * Routers that answer WAN input, and the TTL itself, are proven in the netns lab.
   */
  send(
    data: Uint8Array | readonly Uint8Array[],
    port: number,
    host: string,
    options?: SendOptions,
  ): void {
    if (options?.socket === undefined) this.socket.send(data, port, host);
    else this.dataPlane.probeSockets.get(options.socket)?.send(data, port, host);
  }

  /** Port probing's sockets, each a memory socket of its own (its own mapping on our NAT). */
  readonly probeSockets: ProbeSockets = {
    open: async (count) => {
      const sockets = this.dataPlane.probeSockets;
      if (sockets.size + count > MAX_PROBE_SOCKETS)
        throw new Error(`at most ${MAX_PROBE_SOCKETS} probe sockets`);
      const opened: number[] = [];
      for (let i = 0; i < count; i++) {
        const index = this.nextProbeIndex++;
        const socket = this.socket.host.bind(0);
        socket.onMessage((packet, from) => this.receive(packet, { ...from, socket: index }));
        sockets.set(index, socket);
        opened.push(index);
      }
      this.probeSocketsOpened += count;
      return opened;
    },
    close: async (indices) => {
      if (indices.some((i) => this.dataPlane.carriesPath(i)))
        throw new Error('a probe socket carries a peer path');
      for (const i of indices) {
        this.dataPlane.probeSockets.get(i)?.close();
        this.dataPlane.probeSockets.delete(i);
      }
    },
  };
  private nextProbeIndex = 1;
  /** Probe sockets opened so far (tests count them). */
  probeSocketsOpened = 0;

  listen(listener: DatagramListener): void {
    this.listener = listener;
  }

  private receive(packet: Buffer, from: DatagramSource): void {
    const kind = classifyPacket(packet);
    if (kind === 'wireguard') return this.dataPlane.receive(packet, from, null);
    const payload = packet.subarray(RELAY_DATA_PAYLOAD_OFFSET);
    if (kind === 'relay' && isRelayData(packet) && classifyPacket(payload) === 'wireguard') {
      return this.dataPlane.receive(payload, from, relayRouteKeyOf(packet));
    }
    this.listener?.(packet, from);
  }
}

/** What a test holds of one player's network: the opener for the core, and its parts. */
export interface MemoryPlayerNetwork {
  open: PacketNetworkOpener;
  /** Set once the core opened it. */
  dataPlane(): MemoryDataPlane;
}

export function memoryPacketNetwork(host: MemoryHost, clock: Clock): MemoryPlayerNetwork {
  let plane: MemoryDataPlane | null = null;
  return {
    open: async ({ listenPort }) => {
      const socket = host.bind(listenPort);
      const dataPlane = new MemoryDataPlane(socket, clock);
      plane = dataPlane;
      return {
        socket: new MemoryPublicSocket(socket, dataPlane),
        dataPlane,
        close: async () => {
          await dataPlane.down();
          socket.close();
        },
      };
    },
    dataPlane: () => {
      if (!plane) throw new Error('the core has not opened its network yet');
      return plane;
    },
  };
}

function directKey(host: string, port: number, socket: number | undefined): string {
  return `${socket ?? 0}|${host}:${port}`;
}
