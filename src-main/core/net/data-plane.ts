import type { DiscoveryStats } from '../discovery/discovery-helper-schemas.js';

/**
 * The seam to "the data plane": the WireGuard interface and each peer's path beneath it. The core
 * decides (which path, when to move); the data plane only carries packets where it is told. The
 * WireGuard helper implements it (helper/helper-data-plane.ts: WireGuard never enters Node);
 * tests use the in-memory NAT network.
 *
 * A path change never touches the WireGuard session: the peer's key, keys and counters stay.
 */
export type PeerPath =
  | { kind: 'none' }
  /** `socket`: the probe socket the path uses (port probing); absent: the public socket. */
  | { kind: 'direct'; host: string; port: number; socket?: number }
  /** Inside a relay route: each packet framed with the relay DATA header for `routeId`. */
  | { kind: 'relay'; host: string; port: number; routeId: Uint8Array };

export interface DataPlanePeer {
  /** WireGuard public key (base64): the peer's identity everywhere in the core. */
  publicKey: string;
  /** The peer's virtual IP; the only address routed to it through the tunnel (/32). */
  virtualIp: string;
  /** WireGuard persistent keepalive; keeps NAT mappings along the path open. */
  keepaliveSeconds: number;
}

export interface DataPlane {
  /** Brings the tunnel interface up with our virtual IP (replacing an earlier one). */
  up(virtualIp: string): Promise<void>;
  /** Removes every peer and takes the interface down without its address; safe when down. */
  down(): Promise<void>;
  /** Adds a WireGuard peer with no path yet (its packets are dropped until `setPath`). */
  addPeer(peer: DataPlanePeer): Promise<void>;
  /** Where the peer's WireGuard packets go from now on. */
  setPath(publicKey: string, path: PeerPath): void;
  /** Also accept the peer's WireGuard arriving inside this relay route (before it is the path). */
  acceptRoute(publicKey: string, routeId: Uint8Array): void;
  /** Also accept the peer's WireGuard from this address (a path being proven, or the peer's). */
  acceptDirectFrom(publicKey: string, host: string, port: number, socket?: number): void;
  /**
   * A path was just proven: WireGuard's pending handshake initiation, if one was sent within the
   * last few seconds and lost for want of a path, goes again along the new path now.
   */
  resendHandshake(publicKey: string): void;
  /**
   * WireGuard packets from this peer handed to our WireGuard so far (0 for an unknown peer).
   * Asynchronous: the WireGuard helper counts them in its own process.
   */
  packetsFrom(publicKey: string): Promise<number>;
  /** ICMP RTT to a peer's virtual IP through the tunnel (end to end), or null. */
  tunnelLatency(virtualIp: string): Promise<number | null>;
  removePeer(publicKey: string): Promise<void>;
  /**
   * Game discovery (docs/game-discovery.md): apply the user's setting now (it is also applied by
   * `up`), and read the per-peer counters. Absent where the data plane has none (in-memory tests).
   */
  setDiscovery?(setting: DiscoverySetting): Promise<void>;
  discoveryStats?(): Promise<DiscoveryStats | undefined>;
}

/** Whether LAN-game broadcasts/multicasts are carried, and which multicast groups are copied. */
export interface DiscoverySetting {
  enabled: boolean;
  multicastGroups: readonly string[];
}
