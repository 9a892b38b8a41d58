import type { UdpMux } from '../paths/udp-mux.js';
import type { NetworkManager } from '../wireguard/network-manager.js';
import type { DataPlane, DataPlanePeer, PeerPath } from './data-plane.js';

/**
 * Today's data plane: an external WireGuard (wireguard-go or the kernel's, through NetworkManager)
 * whose endpoint for each peer is a loopback port of the UdpMux, which moves the packets between
 * that port and the peer's path on the public socket. The WireGuard helper replaces both.
 */
/** The WireGuard device behind the loopback ports (NetworkManager; tests stand in for it). */
export type LoopbackWireGuard = Pick<
  NetworkManager,
  'isUp' | 'up' | 'down' | 'setPeer' | 'removePeer' | 'tunnelLatency'
>;

export class LoopbackDataPlane implements DataPlane {
  constructor(
    private readonly mux: UdpMux,
    private readonly network: LoopbackWireGuard,
  ) {}

  async up(virtualIp: string): Promise<void> {
    const listenPort = await this.network.up(virtualIp);
    // WireGuard listens on loopback; the mux hands it every packet of a known peer there.
    this.mux.setWireGuardPort(listenPort);
  }

  down(): Promise<void> {
    return this.network.down();
  }

  async addPeer(peer: DataPlanePeer): Promise<void> {
    const port = await this.mux.addPeer(peer.publicKey);
    await this.network.setPeer({
      publicKey: peer.publicKey,
      virtualIp: peer.virtualIp,
      endpoint: { host: '127.0.0.1', port },
      persistentKeepaliveSeconds: peer.keepaliveSeconds,
    });
  }

  setPath(publicKey: string, path: PeerPath): void {
    this.mux.setPath(publicKey, path);
  }

  acceptRoute(publicKey: string, routeId: Uint8Array): void {
    this.mux.acceptRoute(publicKey, routeId);
  }

  acceptDirectFrom(publicKey: string, host: string, port: number): void {
    this.mux.acceptDirectFrom(publicKey, host, port);
  }

  resendHandshake(publicKey: string): void {
    this.mux.resendHandshake(publicKey);
  }

  packetsFrom(publicKey: string): number {
    return this.mux.packetsFrom(publicKey);
  }

  tunnelLatency(virtualIp: string): Promise<number | null> {
    return this.network.tunnelLatency(virtualIp);
  }

  async removePeer(publicKey: string): Promise<void> {
    try {
      // The interface may already be gone (leaving): the mux's port is released either way.
      if (this.network.isUp) await this.network.removePeer(publicKey);
    } finally {
      await this.mux.removePeer(publicKey);
    }
  }
}
