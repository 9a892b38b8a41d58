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
  /** The probe socket it arrived on (port probing, probe-sockets.ts); absent: the public socket. */
  socket?: number;
}

export type DatagramListener = (packet: Buffer, from: DatagramSource) => void;

/** Per-send options: what the core asks of one datagram. */
export interface SendOptions {
  /**
   * IP TTL (IPv6: hop limit) of this one datagram; the socket's default otherwise. Hole
   * punching's openers must leave our own NATs and die before the far router
   * (paths/punch-schedule.ts).
   */
  ttl?: number;
  /** Send from this probe socket (port probing) instead of the public socket. */
  socket?: number;
}

export interface PublicSocket {
  /** The socket's local port (LAN candidates are this port on each local address). */
  readonly localPort: number;
  /** The same port is open on IPv6 too: IPv6 destinations can be sent to (and candidates offered). */
  readonly hasIpv6: boolean;
  /**
   * Sends one datagram; several parts are sent as one datagram without copying (a relay header
   * and its payload). Never throws: a send after close, or one the OS refuses, is dropped.
   */
  send(
    data: Uint8Array | readonly Uint8Array[],
    port: number,
    host: string,
    options?: SendOptions,
  ): void;
  /** The one listener for upward datagrams; set once, by the core's composition root. */
  listen(listener: DatagramListener): void;
  /**
   * Extra sockets for port probing (paths/port-prober.ts), when the owner of the public socket
   * can open them; what arrives on them comes up through the same listener, with `socket` set.
   */
  readonly probeSockets?: ProbeSockets;
}

/**
 * A bounded set of extra UDP sockets (the WireGuard helper's "probe sockets", PROTOCOL.md "Port
 * probing"): behind a symmetric NAT each gets a mapping of its own. Indices are never 0.
 */
export interface ProbeSockets {
  /** Opens `count` sockets (≤ 256; MAX_PROBE_SOCKETS open at once); resolves with their indices. */
  open(count: number): Promise<number[]>;
  /** Closes these sockets (one carrying a peer's path is refused: move the peer first). */
  close(indices: readonly number[]): Promise<void>;
}

/**
 * The helper's bound on probe sockets open at once (PROTOCOL.md limits): one attempt's 256 and a
 * socket carrying the path of each of up to 31 other members.
 */
export const MAX_PROBE_SOCKETS = 288;
