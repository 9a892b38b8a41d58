import type { NatType } from './nat-type.js';
import type { MappingProtocolName } from './port-mapping.js';

/**
 * The status model every face of LANrage shows: `lanrage status --json`, the desktop window and
 * the tray. The core produces it; nothing else invents fields.
 */
export type PeerState = 'connecting' | 'connected' | 'degraded' | 'failed';

export type PathKind = 'lan' | 'direct' | 'relay';

/** How a path to a peer can be opened, in the order LANrage tries them. */
export type CoordinationMethod = 'lan' | 'hole-punch' | 'port-mapping' | 'port-probe' | 'relay';

export type AttemptOutcome = 'not-tried' | 'trying' | 'succeeded' | 'failed';

/** Why an attempt has its outcome, for a program (the UI turns it into words). */
export type AttemptReason =
  /** succeeded, or trying with nothing wrong yet */
  | 'ok'
  /** LAN not tried: the two are not behind the same public IP */
  | 'different-networks'
  /** hole punch not tried: the NAT table says no direct path can be opened */
  | 'nat-incompatible'
  /**
   * port probing not tried: the peer's announced public IP is not the one the control server
   * sees it at, so no probe is aimed there (src-shared/domain/announced-endpoint.ts)
   */
  | 'endpoint-unconfirmed'
  /** tried; nothing answered within the window */
  | 'no-answer'
  /** worked, then stopped answering */
  | 'path-died'
  /** the punch could not be timed: the control server did not pass our signal on */
  | 'signal-failed'
  /** no relay is known */
  | 'no-relay'
  /** the control server gave no route token */
  | 'no-route-token'
  /** no relay answered our BIND */
  | 'relay-unreachable';

export interface CoordinationAttempt {
  outcome: AttemptOutcome;
  reason: AttemptReason;
}

/** Hole punching's latest attempt (src-main/core/paths/punch-schedule.ts), for "what was tried". */
export interface PunchSummary {
  /** The attempt number of the pair (both sides count the initiator's signals). */
  attempt: number;
  /** This side led (full packets first) or followed (low-TTL openers until it heard the leader). */
  role: 'leader' | 'follower';
  /** The follower's opener TTL in that attempt. */
  openerTtl: number;
  /** Over IPv6 (global addresses on both sides, no NAT on the way), else IPv4. */
  family: 'ipv4' | 'ipv6';
  /** Unix ms of the next try after a failed attempt (relayed meanwhile); null otherwise. */
  nextTryAt: number | null;
}

/** Port mapping (NAT-PMP, PCP, UPnP IGD) for one pair: both routers, and whose mapping is used. */
export interface PortMappingReport {
  /** Our router: the protocol that mapped our port (null: none), and what each protocol answered. */
  self: {
    protocol: MappingProtocolName | null;
    tried: { protocol: MappingProtocolName; error: string | null }[];
  };
  /** The protocol of the mapping the peer announced; null when it announced none. */
  peer: MappingProtocolName | null;
  /** The mapping this pair goes through (ours: we answer; the peer's: we send to it), or null. */
  used: { whose: 'self' | 'peer'; protocol: MappingProtocolName } | null;
}

/**
 * Port probing's latest attempt (src-main/core/paths/port-probing.ts): symmetric ↔ cone pairs the
 * NAT table would relay. Counts are this side's own.
 */
export interface PortProbeSummary {
  /** The attempt number of the pair (both sides count the initiator's signals). */
  attempt: number;
  /** opener: the symmetric side, extra sockets; prober: the cone side, random ports. */
  role: 'opener' | 'prober';
  outcome: 'trying' | 'succeeded' | 'failed';
  /** Probe sockets this side opened (the opener; 0 for the prober). */
  sockets: number;
  /** Packets this side sent in the attempt (openers, probes, answers). */
  packets: number;
  /** From the signalled moment to the proving answer, ms; null unless it succeeded. */
  timeToDirectMs: number | null;
  /** Unix ms of the next try after a failed attempt (relayed meanwhile); null otherwise. */
  nextTryAt: number | null;
}

/**
 * What was tried to reach a peer and how each went — what "Why relayed?" explains. LAN and hole
 * punching are tried at the same moment; the relay is set up first, for every pair, and stays as
 * the fallback.
 */
export interface PeerCoordination {
  selfNat: NatType;
  peerNat: NatType;
  lan: CoordinationAttempt;
  holePunch: CoordinationAttempt;
  /** The latest punch attempt; null before the first. */
  punch: PunchSummary | null;
  /** The latest port-probing attempt; null before the first (and for pairs that never probe). */
  portProbe: PortProbeSummary | null;
  relay: CoordinationAttempt;
  /** Port mapping on both sides; absent from cores older than port mapping. */
  portMapping?: PortMappingReport;
  /** The method that opened the path in use now; null while there is none. */
  openedBy: CoordinationMethod | null;
}

/** Game discovery with one peer (docs/game-discovery.md): broadcast/multicast packets. */
export interface PeerDiscoveryStatus {
  /** Our games' discovery packets sent to this peer. */
  forwarded: number;
  /** This peer's discovery packets delivered to our games. */
  received: number;
  /** Packets either way dropped by the per-peer rate limit. */
  droppedByLimit: number;
}

/**
 * A peer's latencyHistory: one entry per five seconds, five minutes in all — the Peers view's
 * sparkline window — so a window opened late draws the same chart as one open all along.
 */
export const LATENCY_HISTORY_STEP_MS = 5_000;
export const LATENCY_HISTORY_LENGTH = 60;

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
  /**
   * The last five minutes of RTTs, oldest first: the worst RTT of each LATENCY_HISTORY_STEP_MS, the
   * last entry being the step now in progress; null where nothing was measured (the path was down).
   */
  latencyHistory: (number | null)[];
  state: PeerState;
  /** Unix ms when the current connection was first established; null if not connected. */
  connectedSince: number | null;
  online: boolean;
  /** One sentence: why this strategy/state (e.g. "symmetric ↔ port_restricted_cone: relay"). */
  reason: string;
  /** What was tried and how it went, for "Why relayed?". */
  coordination: PeerCoordination;
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
  /** The endpoint our router mapped for us and by which protocol; null when none (yet). */
  portMapping?: { endpoint: string; protocol: MappingProtocolName } | null;
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
