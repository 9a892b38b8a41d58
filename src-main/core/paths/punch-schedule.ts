import type { NatType } from '../../../src-shared/domain/nat-type.js';

/**
 * Hole punching that does not depend on the routers' input policy.
 *
 * Why: a router that accepts unsolicited WAN input delivers an early punch packet to itself and
 * keeps a conntrack entry for it (peer → router:port). When its own player's packet to that peer
 * leaves a moment later, the mapping it wants collides with that entry, and the router picks a
 * new public port: the peer keeps punching the old one, every retry renews the bad entry, and the
 * pair stays relayed. A router that drops WAN input never confirms such an entry, which is why
 * firewalled routers punch fine.
 *
 * So each attempt has a *leader* and a *follower*, named by the attempt number the initiator's
 * punch signal carries (both sides derive the same plan from it):
 *
 *   time from the signalled start →  0 ms            LEAD_DELAY_MS      the leader's first ping
 *   follower                        low-TTL pings ───────────────────────────┤ full pings
 *                                   (open its own NATs, die before the
 *                                    far router: no entry there)
 *   leader                          silent ──────────┤ full pings
 *
 * The leader's first full packet finds the follower's mapping already open, so the follower's
 * router forwards it instead of keeping it; the leader's own router never saw anything early.
 * The follower answers (and pings) at full TTL only once it has heard the leader: a full packet
 * before that would reach the leader's router from a port it does not expect (when the follower's
 * own NAT remapped it) and poison the leader's NAT too — Linux's NAT reuses a socket's newest
 * mapping for later destinations, so one collision moves the public port for every new peer.
 *
 * A low TTL must pass every NAT of the follower and die before the leader's router. TTL 2 passes
 * one home router; a double NAT or CGNAT needs 3. Attempts alternate the leader (a side whose NATs
 * the low TTL did not pass succeeds as the leader) and then raise the TTL.
 *
 * A side behind a symmetric NAT always leads: its NAT gives the peer a new port, which the peer
 * (full cone or open, else the pair is relayed) learns only from its packets; as a follower it
 * would wait for a leader that aims at a port that is not there.
 *
 * A failed attempt may have left bad entries (each packet renews them), so the next attempt waits
 * out conntrack's unreplied-UDP timeout after the last packet: see `directRetryDelayMs`.
 */

/** Opener TTLs tried in turn, each with either side leading: one home NAT, then two NATs deep. */
export const OPENER_TTLS = [2, 3] as const;
/**
 * The leader waits this long after the signalled moment before its first full packet: the two
 * sides' clocks agree only to within the control server's offset estimate (a few ms on a LAN,
 * tens on the internet), and the follower's low-TTL packets must have opened its NAT by then.
 */
export const LEAD_DELAY_MS = 200;

export interface PunchPlan {
  /** The 1-based attempt number the plan is for (from the punch signal). */
  attempt: number;
  /** This side sends full packets first; the other opens its NATs with low-TTL packets. */
  leads: boolean;
  /** TTL of the follower's opening packets. */
  openerTtl: number;
}

/** What to send in a punch round: nothing, low-TTL pings, or full pings (the socket's TTL). */
export type PunchSend = { kind: 'silent' } | { kind: 'low'; ttl: number } | { kind: 'full' };

/**
 * The plan of attempt `attempt` (1-based, as the coordinator counts; wraps at the signal's
 * limit) for the initiator or the responder. Odd attempts: the initiator leads, unless exactly
 * one side is behind a symmetric NAT (that side leads). Both sides must pass the same NAT types
 * (their own and the peer's as the control server reports them) to agree.
 */
export function punchPlan(
  attempt: number,
  initiator: boolean,
  nats: { self: NatType; peer: NatType },
): PunchPlan {
  const index = Math.max(0, attempt - 1);
  const selfSymmetric = nats.self === 'symmetric';
  const peerSymmetric = nats.peer === 'symmetric';
  const initiatorLeads =
    selfSymmetric !== peerSymmetric ? selfSymmetric === initiator : index % 2 === 0;
  const openerTtl = OPENER_TTLS[Math.floor(index / 2) % OPENER_TTLS.length]!;
  return { attempt, leads: initiator === initiatorLeads, openerTtl };
}

/** What this side sends `elapsedMs` after the signalled start, having `heard` the peer or not. */
export function punchSend(plan: PunchPlan, elapsedMs: number, heard: boolean): PunchSend {
  if (plan.leads) return elapsedMs < LEAD_DELAY_MS ? { kind: 'silent' } : { kind: 'full' };
  return heard ? { kind: 'full' } : { kind: 'low', ttl: plan.openerTtl };
}

/**
 * Conntrack forgets an unreplied UDP entry 30 s after its last packet
 * (net.netfilter.nf_conntrack_udp_timeout, the Linux default most routers keep).
 */
export const CONNTRACK_UNREPLIED_MS = 30_000;
/** Margin past that timeout: timers on both sides and the router's own clock are not exact. */
const CONNTRACK_MARGIN_MS = 3_000;
/** Backoff once every plan has been tried; never give up on direct for good (NATs change). */
const RETRY_BACKOFF_MS = [60_000, 120_000, 300_000] as const;

/**
 * How long after a failed attempt's last packet to try again, given how many attempts in a row
 * have failed (≥ 1). The first retries come as soon as conntrack has forgotten the failed
 * attempt, through every plan (leader × TTL); then the retries back off to every 5 minutes.
 */
export function directRetryDelayMs(failures: number): number {
  const plans = 2 * OPENER_TTLS.length;
  if (failures < plans) return CONNTRACK_UNREPLIED_MS + CONNTRACK_MARGIN_MS;
  const step = Math.min(failures - plans, RETRY_BACKOFF_MS.length - 1);
  return RETRY_BACKOFF_MS[step]!;
}
