/**
 * The relay's counters. Plain numeric fields, bumped in place on the hot path (no maps, no
 * allocation); read through `snapshot()` by the metrics endpoint, the periodic log line and tests.
 */

/** Why a datagram was dropped. Every datagram the relay receives is either forwarded, answered
 * (a valid BIND) or counted under exactly one of these. */
export const DROP_REASONS = [
  /** Over the per-source packet budget (checked first, before any parsing or crypto). */
  'rate-limited',
  /** Over the per-source BIND budget (BINDs cost four HMACs each). */
  'bind-rate-limited',
  /** Does not start with the relay magic: not ours at all. */
  'not-relay-frame',
  'bad-version',
  /** A frame type clients never send to a relay (BIND_ACK, unknown). */
  'unknown-type',
  /** Shorter than its type needs, or a BIND that is not exactly 84 bytes. */
  'truncated',
  /** Token malformed or its tag is not the shared secret's. */
  'bad-token',
  'token-expired',
  /** Genuine token, but the BIND is not MACed with that token's side key (a stolen token). */
  'bad-bind-mac',
  /** Counter not above the last accepted for that side: a replayed or reordered BIND. */
  'replayed-bind',
  /** Counter (a timestamp) too far from the relay's clock: a recorded BIND, even after a restart. */
  'stale-bind',
  /** A BIND from a new address whose CHALLENGE budget towards that address is spent. */
  'challenge-rate-limited',
  /** A new route would pass the relay's capacity (answered with BIND_REFUSED when proven). */
  'route-limit',
  /** The party's share of the table is used up (answered with BIND_REFUSED). */
  'party-share',
  /** The member's share of the table is used up (answered with BIND_REFUSED). */
  'member-share',
  /** DATA naming a route nobody has bound (or that expired). */
  'unknown-route',
  /** DATA from an address that is neither side's bound address. */
  'unbound-source',
  /** DATA from a bound side while the other side has not bound yet. */
  'peer-not-bound',
  /** The kernel refused to send (counted when the send completes). */
  'send-failed',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export interface RelayStatsSnapshot {
  packetsIn: number;
  bytesIn: number;
  packetsOut: number;
  bytesOut: number;
  forwardedPackets: number;
  forwardedBytes: number;
  bindsAccepted: number;
  /** Accepted BINDs that moved a side to a new address (NAT rebinding, roaming). */
  rebinds: number;
  /** CHALLENGEs sent: BINDs from an address the side had not proven yet. */
  challengesSent: number;
  /** BIND_REFUSEDs sent to proven, authorised clients (full relay, party or member share). */
  refusalsSent: number;
  routesActive: number;
  routesCreated: number;
  routesExpired: number;
  droppedPackets: number;
  drops: Record<DropReason, number>;
}

function zeroDrops(): Record<DropReason, number> {
  const drops = {} as Record<DropReason, number>;
  for (const reason of DROP_REASONS) drops[reason] = 0;
  return drops;
}

export class RelayStats {
  packetsIn = 0;
  bytesIn = 0;
  packetsOut = 0;
  bytesOut = 0;
  forwardedPackets = 0;
  forwardedBytes = 0;
  bindsAccepted = 0;
  rebinds = 0;
  challengesSent = 0;
  refusalsSent = 0;
  routesActive = 0;
  routesCreated = 0;
  routesExpired = 0;
  droppedPackets = 0;
  readonly drops: Record<DropReason, number> = zeroDrops();

  drop(reason: DropReason): void {
    this.drops[reason]++;
    this.droppedPackets++;
  }

  snapshot(): RelayStatsSnapshot {
    return {
      packetsIn: this.packetsIn,
      bytesIn: this.bytesIn,
      packetsOut: this.packetsOut,
      bytesOut: this.bytesOut,
      forwardedPackets: this.forwardedPackets,
      forwardedBytes: this.forwardedBytes,
      bindsAccepted: this.bindsAccepted,
      rebinds: this.rebinds,
      challengesSent: this.challengesSent,
      refusalsSent: this.refusalsSent,
      routesActive: this.routesActive,
      routesCreated: this.routesCreated,
      routesExpired: this.routesExpired,
      droppedPackets: this.droppedPackets,
      drops: { ...this.drops },
    };
  }
}

const COUNTERS: [keyof RelayStatsSnapshot, string, string][] = [
  ['packetsIn', 'lanrage_relay_packets_in_total', 'Datagrams received.'],
  ['bytesIn', 'lanrage_relay_bytes_in_total', 'Bytes received (UDP payload).'],
  [
    'packetsOut',
    'lanrage_relay_packets_out_total',
    'Datagrams sent (forwarded DATA and BIND_ACKs).',
  ],
  ['bytesOut', 'lanrage_relay_bytes_out_total', 'Bytes sent (UDP payload).'],
  ['forwardedPackets', 'lanrage_relay_forwarded_packets_total', 'DATA frames forwarded.'],
  ['forwardedBytes', 'lanrage_relay_forwarded_bytes_total', 'Bytes of DATA frames forwarded.'],
  ['bindsAccepted', 'lanrage_relay_binds_accepted_total', 'Valid BINDs accepted and acknowledged.'],
  ['rebinds', 'lanrage_relay_rebinds_total', 'BINDs that moved a side to a new address.'],
  ['challengesSent', 'lanrage_relay_challenges_total', 'CHALLENGEs sent to unproven addresses.'],
  [
    'refusalsSent',
    'lanrage_relay_refusals_total',
    'BIND_REFUSEDs sent (full, party or member share).',
  ],
  ['routesCreated', 'lanrage_relay_routes_created_total', 'Routes created by a first valid BIND.'],
  ['routesExpired', 'lanrage_relay_routes_expired_total', 'Routes removed after going idle.'],
];

/** Prometheus text exposition format, version 0.0.4. */
export function toPrometheusText(s: RelayStatsSnapshot): string {
  const lines: string[] = [];
  for (const [field, name, help] of COUNTERS) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name} ${String(s[field])}`);
  }
  lines.push(
    '# HELP lanrage_relay_routes_active Routes currently in the table.',
    '# TYPE lanrage_relay_routes_active gauge',
    `lanrage_relay_routes_active ${s.routesActive}`,
    '# HELP lanrage_relay_dropped_packets_total Datagrams dropped without a reply, by reason.',
    '# TYPE lanrage_relay_dropped_packets_total counter',
  );
  for (const reason of DROP_REASONS) {
    lines.push(`lanrage_relay_dropped_packets_total{reason="${reason}"} ${s.drops[reason]}`);
  }
  return lines.join('\n') + '\n';
}

/** The fields of the periodic log line: totals, plus only the drop reasons that occurred. */
export function statsLogFields(s: RelayStatsSnapshot): Record<string, number> {
  const fields: Record<string, number> = {
    routes: s.routesActive,
    forwarded: s.forwardedPackets,
    forwardedBytes: s.forwardedBytes,
    binds: s.bindsAccepted,
    dropped: s.droppedPackets,
  };
  for (const reason of DROP_REASONS) {
    if (s.drops[reason] > 0) fields[`drop.${reason}`] = s.drops[reason];
  }
  return fields;
}
