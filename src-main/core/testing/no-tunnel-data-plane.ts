import type { DataPlane, DataPlanePeer, PeerPath } from '../net/data-plane.js';

/**
 * Test support: a data plane with no WireGuard behind it, for tests whose subject is the path
 * logic above it (probes, relays, punching over real loopback sockets). It records what it was
 * told; the tunnel itself is covered by the helper's tests and the NAT lab.
 */
export class NoTunnelDataPlane implements DataPlane {
  readonly paths = new Map<string, PeerPath>();
  readonly handshakeResends = new Map<string, number>();

  up(): Promise<void> {
    return Promise.resolve();
  }

  down(): Promise<void> {
    this.paths.clear();
    return Promise.resolve();
  }

  addPeer(peer: DataPlanePeer): Promise<void> {
    this.paths.set(peer.publicKey, { kind: 'none' });
    return Promise.resolve();
  }

  setPath(publicKey: string, path: PeerPath): void {
    this.paths.set(publicKey, path);
  }

  acceptRoute(): void {}

  acceptDirectFrom(): void {}

  resendHandshake(publicKey: string): void {
    this.handshakeResends.set(publicKey, (this.handshakeResends.get(publicKey) ?? 0) + 1);
  }

  packetsFrom(): Promise<number> {
    return Promise.resolve(0);
  }

  tunnelLatency(): Promise<number | null> {
    return Promise.resolve(null);
  }

  removePeer(publicKey: string): Promise<void> {
    this.paths.delete(publicKey);
    return Promise.resolve();
  }
}
