/**
 * What the connection logic needs from the data plane, whoever implements it: the one public UDP
 * socket (STUN, probes and relay control go out through it) and, per peer, the path WireGuard's
 * packets take. In production both are the WireGuard helper (helper/helper-data-plane.ts), which
 * keeps WireGuard's packets out of Node entirely.
 */
export type PeerPath =
  | { kind: 'none' }
  | { kind: 'direct'; host: string; port: number }
  | { kind: 'relay'; host: string; port: number; routeId: Uint8Array };

export interface PublicSocket {
  /** The bound port of the public socket. */
  readonly localPort: number;
  /** Sends raw bytes from the public socket (STUN, probes, relay BINDs). */
  send(data: Uint8Array, port: number, host: string): void;
  /** Sends a probe (or anything) to a peer inside its relay route. */
  sendViaRoute(routeId: Uint8Array, payload: Uint8Array, host: string, port: number): void;
}

export interface PeerDataPlane {
  /** Adds the WireGuard peer (its virtual IP routed to it); no path yet. */
  addPeer(key: string, virtualIp: string, keepaliveSeconds: number): Promise<unknown>;
  removePeer(key: string): Promise<void>;
  /** The peer's live path; never touches its WireGuard session. */
  setPath(key: string, path: PeerPath): void;
  /** Also accept WireGuard for the peer through this relay route (our BIND is in flight). */
  acceptRoute(key: string, routeId: Uint8Array): void;
  /** Also accept WireGuard for the peer from this address (a direct path being proven). */
  acceptDirectFrom(key: string, host: string, port: number): void;
  /** A path was just proven: send WireGuard's pending handshake along it now. */
  resendHandshake(key: string): void;
  /** WireGuard packets from the peer that reached our WireGuard so far. */
  wireguardFrom(key: string): Promise<number>;
}

export type DataPlane = PublicSocket & PeerDataPlane;
