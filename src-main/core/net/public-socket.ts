/**
 * The seam to "the public UDP socket": the one socket per client that STUN, probes, relay frames
 * and WireGuard all share (a NAT maps each local socket separately, so hole punching only works
 * from the socket that carries the tunnel). Its owner is whoever carries WireGuard — today the
 * WireGuard helper (helper/helper-data-plane.ts), in tests the in-memory NAT network.
 *
 * WireGuard traffic of known peers never comes up through this interface (that is the data plane,
 * data-plane.ts); everything else does, raw, with its source address: STUN answers, probes (also
 * inside relay DATA frames), relay control frames. The core classifies them (datagram-router.ts).
 */
export interface DatagramSource {
  address: string;
  port: number;
}

export type DatagramListener = (packet: Buffer, from: DatagramSource) => void;

export interface PublicSocket {
  /** The socket's local port (LAN candidates are this port on each local address). */
  readonly localPort: number;
  /**
   * Sends one datagram; several parts are sent as one datagram without copying (a relay header
   * and its payload). Never throws: a send after close, or one the OS refuses, is dropped.
   */
  send(data: Uint8Array | readonly Uint8Array[], port: number, host: string): void;
  /** The one listener for upward datagrams; set once, by the core's composition root. */
  listen(listener: DatagramListener): void;
}
