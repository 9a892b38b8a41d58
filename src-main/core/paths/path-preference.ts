import type { Candidate } from './peer-link.js';

/**
 * Which of a punch's answering candidates becomes the live path — the one place direct path
 * kinds are ranked (a table test covers it: path-preference.test.ts):
 *
 *   1. LAN         the same network: no router on the way at all
 *   2. IPv6        global addresses both sides: no NAT on the way, only stateful firewalls that
 *                  both sides' own probes opened, so it survives NAT rebinding and CGNAT
 *   3. IPv4        through both NATs (hole punching)
 *
 * A relay is never a candidate here: any direct path that answers beats it.
 */
export type CandidateClass = 'lan' | 'ipv6' | 'ipv4';

const RANK: Record<CandidateClass, number> = { lan: 0, ipv6: 1, ipv4: 2 };

/**
 * After the first pong of a candidate that is not the best kind on offer, the punch keeps going
 * this long for a better one. Both sides ping IPv6 candidates from the first round (no leader
 * delay), so a working IPv6 path answers within about one RTT of IPv4; 500 ms covers an IPv6
 * route slower than IPv4 by up to ~400 ms, and costs a pair whose better candidate is dead (a LAN
 * address that is not ours) only half a second on the relay.
 */
export const PREFER_BETTER_MS = 500;

export function candidateClass(c: Candidate): CandidateClass {
  if (c.kind === 'lan') return 'lan';
  return c.host.includes(':') ? 'ipv6' : 'ipv4';
}

/** The best-ranked of `candidates` (the first of equals), or null for none. */
export function preferredCandidate<C extends Candidate>(candidates: readonly C[]): C | null {
  let best: C | null = null;
  for (const c of candidates) {
    if (best === null || RANK[candidateClass(c)] < RANK[candidateClass(best)]) best = c;
  }
  return best;
}

/** Whether `c` is as good as anything on offer: take it at once, without waiting for others. */
export function isBestOnOffer(c: Candidate, offered: readonly Candidate[]): boolean {
  const best = preferredCandidate(offered);
  return best === null || RANK[candidateClass(c)] <= RANK[candidateClass(best)];
}
