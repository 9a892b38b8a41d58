import type { NatType } from './nat-type.js';

/**
 * The status model every face of LANrage shows: `lanrage status --json`, the desktop window and
 * the tray. The core produces it; nothing else invents fields.
 */
export type PeerState = 'connecting' | 'connected' | 'degraded' | 'failed';

export type PathKind = 'lan' | 'direct' | 'relay';

/** Game discovery with one peer (docs/game-discovery.md): broadcast/multicast packets. */
export interface PeerDiscoveryStatus {
  /** Our games' discovery packets sent to this peer. */
  forwarded: number;
  /** This peer's discovery packets delivered to our games. */
  received: number;
  /** Packets either way dropped by the per-peer rate limit. */
  droppedByLimit: number;
}

export interface PeerStatus {
  /** The peer's WireGuard public key. */
  id: string;
  name: string;
  virtualIp: string;
  /** "direct" covers LAN and hole-punched paths; "relay" a relay route. */
  strategy: 'direct' | 'relay';
  /** Finer than strategy: which direct path, or null before any path works. */
  path: PathKind | null;
  /** Where the tunnel's packets for this peer go now (peer or relay ip:port). */
  endpoint: string | null;
  relay: { id: string; endpoint: string } | null;
  natType: NatType;
  /** Round-trip time on the live path, ms; null until measured. */
  latencyMs: number | null;
  /** Recent RTTs, oldest first (for the UI's small chart). */
  latencyHistory: number[];
  state: PeerState;
  /** Unix ms when the current connection was first established; null if not connected. */
  connectedSince: number | null;
  online: boolean;
  /** One sentence: why this strategy/state (e.g. "symmetric ↔ port_restricted_cone: relay"). */
  reason: string;
  /** Game-discovery counters; null while discovery is off or the helper has not reported. */
  discovery?: PeerDiscoveryStatus | null;
}

export interface SelfStatus {
  id: string;
  name: string;
  virtualIp: string | null;
  natType: NatType;
  publicEndpoint: string | null;
  localCandidates: string[];
}

export interface PartyStatus {
  id: string;
  name: string;
  inviteCode: string;
}

export interface RelayStatus {
  id: string;
  endpoint: string;
  region: string;
  latencyMs: number | null;
  inUse: boolean;
  pinned: boolean;
  source: 'control' | 'config' | 'default';
}

export interface CoreStatus {
  state: 'idle' | 'starting' | 'in-party' | 'leaving' | 'stopped';
  control: 'connecting' | 'connected' | 'reconnecting' | 'offline';
  party: PartyStatus | null;
  self: SelfStatus;
  peers: PeerStatus[];
}
