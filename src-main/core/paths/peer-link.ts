import type { DataPlane, PeerPath } from '../net/data-plane.js';
import type { TaskManager } from '../tasks/task-manager.js';
import { sleep, type Clock } from '../time/clock.js';
import type { ProbeEngine, ProbeVia } from './probe-engine.js';
import {
  candidateClass,
  isBestOnOffer,
  PREFER_BETTER_MS,
  preferredCandidate,
} from './path-preference.js';
import { punchSend, type PunchPlan, type PunchSend } from './punch-schedule.js';

/**
 * The live path to one peer, below WireGuard: which way its packets go now (LAN, direct, or a
 * relay route), proof that the way works (probes), and its RTT. It never touches the WireGuard
 * session: moving a peer is one `dataPlane.setPath`.
 *
 * Hole punching, as in ICE: from the moment the control server's signal names, both sides ping all
 * of each other's candidates every PUNCH_SPACING_MS, in the order the attempt's plan says (a
 * leader, and a follower that opens its NATs with low-TTL packets first: punch-schedule.ts); the
 * first pong proves a path (or the best kind that answers within PREFER_BETTER_MS: a LAN address,
 * then global IPv6, then IPv4; path-preference.ts). IPv6 candidates are pinged at full hop limit
 * by both sides at once: no NAT on the way, only each side's own stateful firewall. A ping that reaches us from an address we did not know (a symmetric
 * NAT's fresh mapping, a port a router remapped) is a peer-reflexive candidate: it is pinged back
 * at that address, which is how a symmetric side and a full-cone side find each other.
 */
export type PathKind = 'lan' | 'direct' | 'relay';

export interface LivePath {
  kind: PathKind;
  via: ProbeVia;
  /** Relay id when kind is 'relay'. */
  relayId: string | null;
  since: number;
}

export interface Candidate {
  kind: 'lan' | 'direct';
  host: string;
  port: number;
}

/** How a punch went, for the log and the packet-cost figures. */
export interface PunchOutcome {
  path: LivePath | null;
  /** Pings sent, and how many of them left with a low TTL. */
  pings: number;
  lowTtlPings: number;
  /** From the signalled start to the first pong, ms (null when none came). */
  provenAfterMs: number | null;
}

export type PeerLinkEvent =
  | { type: 'path'; path: LivePath }
  | { type: 'rtt'; rttMs: number }
  | { type: 'dead'; path: LivePath };

const FULL: PunchSend = { kind: 'full' };
/** 100 ms: ten tries a second keeps both NATs' holes open through the punch window. */
export const PUNCH_SPACING_MS = 100;
/**
 * A new path (a relay route whose far side may still be binding) is probed this often until it
 * first answers, not at the slow monitoring pace: its first pong releases WireGuard's handshake.
 */
export const PROVE_SPACING_MS = 100;
/** The side that waits for the other's handshake sends its own after this long without one. */
export const HANDSHAKE_FALLBACK_MS = 1_000;

export interface PeerLinkOptions {
  peerKey: string;
  dataPlane: DataPlane;
  probes: ProbeEngine;
  tasks: TaskManager;
  probeIntervalMs: number;
  deadPathAfterMs: number;
  onEvent: (event: PeerLinkEvent) => void;
  /**
   * Whether this side resends WireGuard's pending handshake when a path is proven. One side only:
   * two initiations crossing on the wire make each WireGuard drop its own handshake for the
   * other's, and then neither completes until the 5 s retry.
   */
  resendsHandshake: boolean;
  clock: Clock;
}

export class PeerLink {
  private active: LivePath | null = null;
  private lastPongAt = 0;
  private deadReported = false;
  /** The active path has not answered a probe yet (a relay whose far side may not be bound). */
  private unproven = false;
  private punching: { candidates: Candidate[]; until: number; heard: boolean } | null = null;
  private readonly taskName: string;

  constructor(private readonly o: PeerLinkOptions) {
    this.taskName = `peer:${o.peerKey}:probe`;
  }

  get path(): LivePath | null {
    return this.active;
  }

  /**
   * Sends this peer's traffic through a bound relay route. `peerBound`: the relay's answer to our
   * BIND said the peer has bound the route too, so it forwards both ways now: WireGuard's pending
   * handshake goes at once rather than after a probe's round trip through both cores (issue #7);
   * the probes still prove the path and measure it.
   */
  useRelay(
    relayId: string,
    host: string,
    port: number,
    routeId: Uint8Array,
    peerBound = false,
  ): void {
    this.setActive({
      kind: 'relay',
      via: { kind: 'relay', host, port, routeId },
      relayId,
      since: this.o.clock.now(),
    });
    if (peerBound) this.resendHandshake();
  }

  /**
   * The peer's authenticated ping reached us over `routeId`. When that is our unproven relay path,
   * the route forwards (the peer's side is bound, and so is ours): its handshake goes now, and a
   * probe goes at once instead of at the next PROVE_SPACING_MS tick.
   */
  heardOnRelay(routeId: Uint8Array): void {
    const via = this.active?.via;
    if (!this.unproven || via?.kind !== 'relay' || !sameBytes(via.routeId, routeId)) return;
    this.resendHandshake();
    this.probeOnce();
  }

  /**
   * Pings every candidate from `startAt` (local ms) for `windowMs`, as `plan` orders; resolves
   * with the proven path (then active) or null (the caller stays on the relay).
   */
  async punch(
    candidates: Candidate[],
    startAt: number,
    windowMs: number,
    signal: AbortSignal,
    plan: PunchPlan,
  ): Promise<PunchOutcome> {
    const clock = this.o.clock;
    const wait = startAt - clock.now();
    if (wait > 0) await sleep(clock, wait, signal);
    const start = clock.now();
    const until = start + windowMs;
    const punching = { candidates: [...candidates], until, heard: false };
    this.punching = punching;
    const outcome: PunchOutcome = { path: null, pings: 0, lowTtlPings: 0, provenAfterMs: null };
    const tries: Promise<void>[] = [];
    // Candidates that answered while a better kind was still on offer (path-preference.ts).
    const answered: { c: Candidate; via: ProbeVia & { kind: 'direct' }; rtt: number }[] = [];
    let firstAnswerAt: number | null = null;
    const settle = (c: Candidate, via: ProbeVia & { kind: 'direct' }, rtt: number) => {
      outcome.path = this.useProven(c.kind, via, rtt);
      outcome.provenAfterMs = clock.now() - start;
    };
    const settleOnBestAnswered = () => {
      const best = preferredCandidate(answered.map((a) => a.c));
      const a = answered.find((x) => x.c === best);
      if (a && outcome.path === null) settle(a.c, a.via, a.rtt);
    };
    try {
      while (!signal.aborted && outcome.path === null && clock.now() < until) {
        if (firstAnswerAt !== null && clock.now() - firstAnswerAt >= PREFER_BETTER_MS) {
          settleOnBestAnswered();
          break;
        }
        const planned = punchSend(plan, clock.now() - start, punching.heard);
        for (const c of punching.candidates) {
          // IPv6 has no NAT to protect from early packets, only firewalls that each side's own
          // outbound packet opens: both sides ping it at full hop limit from the first round.
          const send = candidateClass(c) === 'ipv6' ? FULL : planned;
          if (send.kind === 'silent') continue;
          const via: ProbeVia & { kind: 'direct' } = { kind: 'direct', host: c.host, port: c.port };
          const ttl = send.kind === 'low' ? send.ttl : undefined;
          outcome.pings++;
          if (ttl !== undefined) outcome.lowTtlPings++;
          const timeout = Math.max(1, until - clock.now());
          tries.push(
            this.o.probes.ping(this.o.peerKey, via, timeout, ttl).then((rtt) => {
              if (rtt === null || outcome.path !== null || signal.aborted) return;
              if (isBestOnOffer(c, punching.candidates)) {
                settle(c, via, rtt);
                return;
              }
              answered.push({ c, via, rtt });
              firstAnswerAt ??= clock.now();
            }),
          );
        }
        await sleep(clock, PUNCH_SPACING_MS, signal);
      }
      // A pong may still be in flight for the last round.
      if (outcome.path === null && !signal.aborted)
        await Promise.race([Promise.all(tries), sleep(clock, PUNCH_SPACING_MS)]);
      // The window ended while waiting for a better kind: the best that answered still wins.
      if (!signal.aborted) settleOnBestAnswered();
    } finally {
      this.punching = null;
    }
    return outcome;
  }

  /**
   * A direct way that just answered a ping (hole punching, port probing) becomes the live path:
   * its WireGuard is accepted, and WireGuard's pending handshake goes along it now.
   */
  useProven(kind: 'lan' | 'direct', via: ProbeVia & { kind: 'direct' }, rttMs: number): LivePath {
    const proven: LivePath = { kind, via, relayId: null, since: this.o.clock.now() };
    this.o.dataPlane.acceptDirectFrom(this.o.peerKey, via.host, via.port, via.socket);
    this.setActive(proven);
    this.unproven = false;
    this.resendHandshake();
    this.o.onEvent({ type: 'rtt', rttMs });
    return proven;
  }

  /** A ping from this peer arrived directly at `from`: a candidate we may not have known. */
  heardFrom(from: { host: string; port: number }): void {
    const p = this.punching;
    if (!p) return;
    // The peer's packets reach us: its NATs are open towards us, ours may answer at full TTL.
    p.heard = true;
    if (p.candidates.some((c) => c.host === from.host && c.port === from.port)) return;
    p.candidates.push({ kind: 'direct', host: from.host, port: from.port });
  }

  /** Starts probing the active path every probeIntervalMs until `stop`. */
  startMonitoring(): void {
    this.o.tasks.every(this.taskName, this.o.probeIntervalMs, () => this.probeOnce());
  }

  async stop(): Promise<void> {
    await this.o.tasks.cancel(this.taskName);
    await this.o.tasks.cancel(`${this.taskName}:prove`);
    await this.o.tasks.cancel(`${this.taskName}:handshake`);
  }

  /** Probes an unproven path quickly until it answers once (or the dead-path window passes). */
  private prove(path: LivePath): void {
    this.o.tasks.start(`${this.taskName}:prove`, async (signal) => {
      const until = this.o.clock.now() + this.o.deadPathAfterMs;
      while (
        !signal.aborted &&
        this.unproven &&
        this.active === path &&
        this.o.clock.now() < until
      ) {
        this.probeOnce();
        await sleep(this.o.clock, PROVE_SPACING_MS, signal);
      }
    });
  }

  private probeOnce(): void {
    const path = this.active;
    if (!path) return;
    void this.o.probes.ping(this.o.peerKey, path.via, this.o.deadPathAfterMs).then((rtt) => {
      if (rtt !== null && this.active === path) {
        this.lastPongAt = this.o.clock.now();
        this.deadReported = false;
        if (this.unproven) {
          this.unproven = false;
          this.resendHandshake();
        }
        this.o.onEvent({ type: 'rtt', rttMs: rtt });
      }
    });
    if (!this.deadReported && this.o.clock.now() - this.lastPongAt > this.o.deadPathAfterMs) {
      this.deadReported = true;
      this.o.onEvent({ type: 'dead', path });
    }
  }

  private resendHandshake(): void {
    if (this.o.resendsHandshake) {
      this.o.dataPlane.resendHandshake(this.o.peerKey);
      return;
    }
    // The other side goes first; if nothing of its WireGuard has reached us a moment later, its
    // handshake was lost after all, and ours (if still pending) goes instead.
    this.o.tasks.start(`${this.taskName}:handshake`, async (signal) => {
      await sleep(this.o.clock, HANDSHAKE_FALLBACK_MS, signal);
      if (!signal.aborted && (await this.o.dataPlane.packetsFrom(this.o.peerKey)) === 0) {
        this.o.dataPlane.resendHandshake(this.o.peerKey);
      }
    });
  }

  private setActive(path: LivePath): void {
    this.active = path;
    // A new path gets a full dead-path window before it can be called dead.
    this.lastPongAt = this.o.clock.now();
    this.deadReported = false;
    this.unproven = true;
    this.prove(path);
    const v = path.via;
    const dataPath: PeerPath =
      v.kind === 'direct'
        ? {
            kind: 'direct',
            host: v.host,
            port: v.port,
            ...(v.socket !== undefined && { socket: v.socket }),
          }
        : { kind: 'relay', host: v.host, port: v.port, routeId: v.routeId };
    this.o.dataPlane.setPath(this.o.peerKey, dataPath);
    this.o.onEvent({ type: 'path', path });
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
