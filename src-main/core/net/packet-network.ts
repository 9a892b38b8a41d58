import type { DataPlane } from './data-plane.js';
import type { PublicSocket } from './public-socket.js';

/**
 * What the core needs from the machine's network: the public socket and the data plane, opened
 * together (one process owns both: the socket carries the tunnel). LanrageCore is given a
 * `PacketNetworkOpener`; the default starts the WireGuard helper (helper/helper-network.ts).
 */
export interface PacketNetwork {
  socket: PublicSocket;
  dataPlane: DataPlane;
  /** Releases both: interface down, socket closed. Nothing is sent after it resolves. */
  close(): Promise<void>;
}

export interface PacketNetworkRequest {
  /** The public socket's UDP port; 0 lets the OS pick. */
  listenPort: number;
}

export type PacketNetworkOpener = (request: PacketNetworkRequest) => Promise<PacketNetwork>;
