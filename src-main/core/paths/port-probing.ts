import type { NatType } from '../../../src-shared/domain/nat-type.js';

/**
 * Port probing ("birthday" hole punching) for a pair the NAT table would relay: one side behind a
 * symmetric NAT (a new public port for every destination, drawn at random), the other behind a
 * cone NAT (one public port for all destinations, filtering what it has not sent to).
 *
 *   symmetric side (opener)                      cone side (prober)
 *   N extra sockets, one low-TTL packet each     M probes from its one socket, each to a random
 *   to the cone's public ip:port: N random       port of the symmetric side's public IP: each
 *   mappings open on its NAT (the packets die    opens the cone NAT towards that port
 *   before the cone's router)
 *
 * A probe that hits one of the N mapped ports reaches that socket (the mapping's conntrack entry
 * is exactly that flow's reply); its pong goes back through the same mapping and through the hole
 * the probe opened in the cone NAT. Each probe hits with probability N/R (R = 64,512 ports in
 * 1024–65535), so M probes find a common port with probability 1 − (1 − N/R)^M — a birthday
 * problem between two sets (danderson/nat-birthday-paradox: 256 sockets and 256 probes give
 * 64 %). N = 256 and M = 1,280 give 99.4 %, about 1,540 packets at most, and on average the hit
 * comes after R/N ≈ 252 probes. Two symmetric NATs would need N·M ≈ 2^32 tries: that pair stays
 * relayed.
 */
export type PortProbeRole = 'opener' | 'prober';

const CONE: ReadonlySet<NatType> = new Set([
  'full_cone',
  'restricted_cone',
  'port_restricted_cone',
]);

/** This side's part in port probing towards the peer, or null when the pair does not probe. */
export function portProbeRole(self: NatType, peer: NatType): PortProbeRole | null {
  if (self === 'symmetric' && CONE.has(peer)) return 'opener';
  if (CONE.has(self) && peer === 'symmetric') return 'prober';
  return null;
}

/** Extra sockets the opener opens: the helper's bound (PROTOCOL.md limits) and 99 % with M below. */
export const PROBE_SOCKETS = 256;
/** Probes the prober sends at most per attempt (see the sum above: 99.4 % with 256 sockets). */
export const MAX_PROBES = 1_280;
/** The ports a symmetric NAT draws from (Linux: 1024–65535 for a source port ≥ 1024). */
export const PROBE_PORT_MIN = 1024;
export const PROBE_PORT_MAX = 65_535;
/**
 * Probes per tick and the tick: 1,600 probes a second (~1 Mbit/s of 80-byte packets), so all
 * 1,280 leave within 0.8 s and the expected hit comes ~0.16 s after the first; gentle enough
 * for a home router's conntrack table (each probe is one short-lived entry).
 */
export const PROBES_PER_TICK = 32;
export const PROBE_TICK_MS = 20;
/**
 * The prober starts this long after the signalled moment: the two sides' clocks agree only to
 * within the control server's offset estimate, and the opener's 256 packets must have left
 * (through the helper, one frame each) so its mappings exist when the probes arrive.
 */
export const PROBE_START_DELAY_MS = 200;
/** The whole attempt: opener packets, 0.8 s of probes, and the answers' round trips. */
export const PORT_PROBE_WINDOW_MS = 3_000;
/** A socket that heard the peer pings it this often until it answers (as punching does). */
export const ANSWER_SPACING_MS = 100;

/** 1 − (1 − sockets/range)^probes: the chance that `probes` random ports hit one of `sockets`. */
export function hitProbability(sockets: number, probes: number, range: number): number {
  return 1 - (1 - sockets / range) ** probes;
}

/**
 * `count` distinct ports of PROBE_PORT_MIN…PROBE_PORT_MAX in random order (a partial
 * Fisher–Yates shuffle over a sparse map: no 64k-entry array per attempt).
 */
export function randomProbePorts(count: number, random: () => number): number[] {
  const span = PROBE_PORT_MAX - PROBE_PORT_MIN + 1;
  const n = Math.min(count, span);
  const swapped = new Map<number, number>();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (span - i));
    const atJ = swapped.get(j) ?? j;
    swapped.set(j, swapped.get(i) ?? i);
    out.push(PROBE_PORT_MIN + atJ);
  }
  return out;
}
