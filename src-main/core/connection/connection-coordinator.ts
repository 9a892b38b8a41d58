import {
  chooseStrategy,
  type StrategyChoice,
} from '../../../src-shared/domain/connection-strategy.js';
import type { PathKind, PeerCoordination } from '../../../src-shared/domain/core-status.js';
import { formatEndpoint, parseEndpoint } from '../../../src-shared/domain/endpoint.js';
import {
  checkAnnouncedIp,
  unconfirmedWords,
} from '../../../src-shared/domain/announced-endpoint.js';
import type { Member, Signal } from '../../../src-shared/protocol/control-messages.js';
import type { Candidate, LivePath, PeerLink } from '../paths/peer-link.js';
import type { RelayEndpoint } from '../relay/relay-binder.js';
import { sleep } from '../time/clock.js';
import { relayRouteFromGrant, type RelayRoute } from '../relay/relay-frames-client.js';
import { directRetryDelayMs, punchPlan } from '../paths/punch-schedule.js';
import { isGlobalIpv6 } from '../party/ipv6-candidates.js';
import {
  MAPPING_WORDS,
  mappingRoute,
  type MappingRoute,
} from '../../../src-shared/domain/port-mapping.js';
import { CoordinationRecord } from './coordination-record.js';
import { PortProber } from '../paths/port-prober.js';
import { portProbeRole, type PortProbeRole } from '../paths/port-probing.js';
import type { PeerConnectionDeps } from './peer-connection.js';
import type { Logger } from '../../../src-common/logging/logger.js';

/**
 * How one peer is reached (the seed's ConnectionCoordinator): the strategy from both NAT types,
 * the relay (control server list → configured → default, nearest by ICMP, or the user's pin), the
 * relay route bound and its token kept fresh, hole punching at a signalled moment, and the record
 * of what was tried and how it went (PeerStatus.coordination, for "Why relayed?").
 *
 * Roles: the member whose key sorts first is the *initiator*: it picks the pair's relay and times
 * the punches; the other follows its signals. One voice avoids two sides racing to different
 * relays. Relay changes run as one task per peer, so two binds never race and unbind each other.
 */

/** Lead time of a punch signal: one control-server round trip with margin, so both start together. */
export const PUNCH_LEAD_MS = 400;
/** How long both sides ping each other's candidates; NAT holes open within a few RTTs. */
export const PUNCH_WINDOW_MS = 3_000;
/** First relay BIND answered within this, or the relay is skipped. */
export const RELAY_BIND_TIMEOUT_MS = 2_000;
/** While the peer has not bound our relay choice, tell it again this often (signals can be lost). */
export const RELAY_NUDGE_MS = 2_000;
/**
 * Relay distances change slowly; a choice may reuse measurements this old (a degraded relay is
 * always measured afresh). Skipping the pings saves ~0.5 s on every new peer's first path.
 */
export const RELAY_MEASUREMENT_MAX_AGE_MS = 30_000;
/** Relays tried in a row before giving up until the next reconnect attempt. */
const RELAY_TRIES = 3;
/**
 * A route token is refreshed when half its remaining life has passed: any lifetime the control
 * server chooses (10 minutes today) is renewed well before the relay unbinds a side at expiry.
 */
export const GRANT_REFRESH_FRACTION = 0.5;
/** Never refresh more often than this (a token already near or past expiry, clocks apart). */
export const GRANT_REFRESH_MIN_MS = 5_000;

export type CoordinatorDeps = Omit<PeerConnectionDeps, 'onGiveUp'>;

/** The plan of a mapped pair takes only its opener TTL from the cone ↔ cone schedule. */
const CONE_PAIR = { self: 'port_restricted_cone', peer: 'port_restricted_cone' } as const;

export class ConnectionCoordinator {
  private member: Member;
  private choice: StrategyChoice;
  private relay: { endpoint: RelayEndpoint; route: RelayRoute; epoch: number } | null = null;
  private relayEpoch = 0;
  private readonly failedRelays = new Set<string>();
  private punchAttempt = 0;
  /** Direct attempts failed in a row, and when the next may start (punch-schedule.ts). */
  private directFailures = 0;
  private nextDirectAt = 0;
  private failure: string | null = null;
  /** How the live direct path was opened, for status ("after hole punching, attempt 2"). */
  private directMethod: string | null = null;
  private readonly record = new CoordinationRecord();
  /** Port probing (symmetric ↔ cone), when the packet network has probe sockets. */
  private readonly prober: PortProber | null;
  /** The probe socket the live direct path uses (port probing's opener), closed when it moves. */
  private probeSocket: number | null = null;
  /** Why port probing is refused towards this peer, as last logged (null: it is not). */
  private loggedBlock: string | null = null;

  constructor(
    member: Member,
    private readonly d: CoordinatorDeps,
    private readonly link: PeerLink,
    private readonly log: Logger,
    private readonly prefix: string,
  ) {
    this.member = member;
    this.prober = d.probeSockets
      ? new PortProber({
          peerKey: member.publicKey,
          probes: d.probes,
          sockets: d.probeSockets,
          link,
          clock: d.clock,
          random: d.random ?? Math.random,
          log,
        })
      : null;
    this.choice = this.plan();
  }

  /** A ping from the peer reached us directly (on a probe socket when `socket` is set). */
  heardFrom(from: { host: string; port: number; socket?: number }): void {
    this.prober?.heard(from);
  }

  get strategy(): StrategyChoice {
    return this.choice;
  }

  /** Why the preferred strategy was not reached, else why this strategy. */
  get reason(): string {
    const blocked = this.probeBlocked();
    if (blocked !== null && !this.onDirect())
      return `${this.choice.reason}; port probing not tried: ${blocked} (probes go only to the address the server sees)`;
    if (this.failure) return this.failure;
    if (!this.onDirect() || !this.directMethod) return this.choice.reason;
    const host = this.link.path?.via.host ?? '';
    if (host.includes(':')) return `direct over IPv6 (no NAT on the way) ${this.directMethod}`;
    // The NAT table says relay for these types; port probing opened a direct path all the same.
    if (this.choice.strategy === 'relay')
      return `${this.d.self.natType} ↔ ${this.member.natType}: direct ${this.directMethod}`;
    return `${this.choice.reason}; direct ${this.directMethod}`;
  }

  /** What was tried and how it went, with the path kind in use now. */
  coordination(current: PathKind | null): PeerCoordination {
    const snapshot = this.record.snapshot(this.d.self.natType, this.member.natType, current);
    const route = this.mapping();
    const self = this.d.self.portMapping ?? null;
    const tried = this.d.self.mappingTried ?? [];
    // Nothing to tell while neither router was asked or offered anything (mapping turned off).
    if (!self && tried.length === 0 && !this.member.portMapping) return snapshot;
    return {
      ...snapshot,
      portMapping: {
        self: {
          protocol: self?.protocol ?? null,
          tried: tried.map((t) => ({ ...t })),
        },
        peer: this.member.portMapping?.protocol ?? null,
        used:
          snapshot.openedBy === 'port-mapping' && route
            ? { whose: route.role === 'send' ? 'peer' : 'self', protocol: route.protocol }
            : null,
      },
    };
  }

  get relayEndpoint(): RelayEndpoint | null {
    return this.relay?.endpoint ?? null;
  }

  private get initiator(): boolean {
    return this.d.self.publicKey < this.member.publicKey;
  }

  /**
   * Who times direct attempts: the initiator, except in port probing, where the opener (the
   * symmetric side) does — it must hold the core's probe sockets (OpenerQueue) before naming the
   * moment, and it may be probing several peers in turn.
   */
  private leadsDirect(): boolean {
    const role = this.probeRole();
    return role === null ? this.initiator : role === 'opener';
  }

  /** First contact: the initiator picks and binds a relay, then punches when direct is possible. */
  async begin(signal: AbortSignal): Promise<void> {
    // The responder binds when the initiator says so, and punches when the leader says so.
    if (this.initiator) this.reselectRelay(new Set());
    if (!this.leadsDirect() || !this.wantsDirect() || signal.aborted) return;
    // An opener waits its turn for the probe sockets in the punch task (one attempt at a time).
    // A punch runs here, beside that task: the peer's address may arrive during its lead time,
    // and `update` then starts a second punch with it.
    if (this.probeRole() === 'opener') this.tryDirect();
    else await this.initiatePunch(signal);
  }

  /** The control server's newer view of the peer; punches again when its address changed. */
  update(member: Member): void {
    const moved =
      member.publicEndpoint !== this.member.publicEndpoint ||
      member.seenIp !== this.member.seenIp ||
      member.natType !== this.member.natType ||
      member.portMapping?.endpoint !== this.member.portMapping?.endpoint;
    this.member = member;
    this.choice = this.plan();
    if (moved && this.leadsDirect() && this.wantsDirect() && !this.onDirect()) this.tryDirect();
  }

  /**
   * Our own NAT type became known after this peer was set up (a core joins before its NAT
   * verdict): choose again, and punch now when a direct path has become possible.
   */
  selfChanged(): void {
    this.choice = this.plan();
    if (this.leadsDirect() && this.wantsDirect() && !this.onDirect()) this.tryDirect();
  }

  onSignal(signal: Signal): void {
    if (signal.kind === 'relay') {
      // Newer choices win; at the same epoch the initiator's choice wins.
      const newer =
        signal.epoch > this.relayEpoch || (signal.epoch === this.relayEpoch && !this.initiator);
      if (!newer || this.relay?.endpoint.id === signal.relayId) {
        this.relayEpoch = Math.max(this.relayEpoch, signal.epoch);
        return;
      }
      this.relayEpoch = signal.epoch;
      this.relayOp(async () => {
        await this.bindRelay(signal.relayId, signal.epoch);
      });
    } else if (signal.kind === 'punch') {
      // The initiator's call, even when our view of its NAT is stale (its newer member info may
      // still be on the way): a punch that cannot succeed costs a few probes, a missed one 30 s.
      const localAt = signal.at - (this.d.control.serverNow() - this.d.clock.now());
      this.d.tasks.start(`${this.prefix}punch`, (s) => this.runPunch(localAt, signal.attempt, s));
    }
  }

  /** A path died: a direct one falls back to the relay at once; a dead relay is replaced. */
  onPathDead(path: LivePath): void {
    this.record.pathDied(path.kind);
    if (path.kind !== 'relay' && this.relay) {
      this.failure = 'direct path died; using the relay';
      this.restoreRelayPath();
      this.releaseProbeSocket();
    } else if (path.kind === 'relay' && path.relayId) {
      this.failedRelays.add(path.relayId);
      this.d.relays.markUnresponsive(path.relayId);
      this.reselectRelay(new Set([path.relayId]));
    }
  }

  /** Picks a relay again from fresh measurements (a reconnect attempt). */
  reconnect(): void {
    this.failedRelays.clear();
    this.reselectRelay(new Set());
    if (this.wantsDirect() && this.leadsDirect()) this.tryDirect();
  }

  /**
   * The user pinned a relay (or went back to automatic): choose again now. Either side may — a
   * choice signalled with a newer epoch wins on both sides — so a pin is honoured whichever
   * member of the pair made it.
   */
  relayPreferenceChanged(): void {
    const pinned = this.d.relays.pinned;
    if (pinned !== null && this.relay?.endpoint.id === pinned) return;
    this.reselectRelay(new Set());
  }

  /**
   * A relayed pair whose NATs allow direct tries again, on the schedule of punch-schedule.ts
   * (never sooner: a retry inside conntrack's timeout would renew a failed attempt's bad entries).
   */
  retryDirect(): void {
    if (this.d.clock.now() < this.nextDirectAt) return;
    if (this.link.path?.kind === 'relay' && this.wantsDirect() && this.leadsDirect())
      this.tryDirect();
  }

  /** On a degraded relay, moves to another relay when one measures nearer. */
  async leaveDegradedRelay(): Promise<void> {
    const current = this.link.path?.relayId;
    if (!current || !this.initiator) return;
    await this.d.relays.measureAll();
    const better = this.d.relays.choose(new Set([current]));
    const now = this.d.relays.latencyOf(current);
    const candidate = better ? this.d.relays.latencyOf(better.id) : null;
    if (better && candidate !== null && (now === null || candidate < now)) {
      this.log.warn('degraded on relay; switching', { from: current, to: better.id });
      this.reselectRelay(new Set([current]));
    }
  }

  /**
   * Keeps the bound route's token fresh, timed from its own expiry (server clock): the relay
   * unbinds a side whose token has expired. Runs as one task per peer while a relay is bound.
   */
  private keepGrantFresh(epoch: number): void {
    this.d.tasks.start(`${this.prefix}grant`, async (signal) => {
      while (!signal.aborted && this.relay?.epoch === epoch) {
        const remainingMs = this.relay.route.expiresAt * 1000 - this.d.control.serverNow();
        const wait = Math.max(GRANT_REFRESH_MIN_MS, remainingMs * GRANT_REFRESH_FRACTION);
        await sleep(this.d.clock, wait, signal);
        if (signal.aborted || this.relay?.epoch !== epoch) return;
        try {
          const parsed = relayRouteFromGrant(await this.d.control.grant(this.member.publicKey));
          if (!parsed.ok) throw new Error(parsed.error);
          if (this.relay?.epoch !== epoch) return;
          this.relay.route = parsed.value;
          this.d.binder.refresh(parsed.value);
          this.log.debug('route token refreshed', { expiresAt: parsed.value.expiresAt });
        } catch (error) {
          // The old token still works until it expires: the next round tries again sooner.
          this.log.warn('route token refresh failed', { error: (error as Error).message });
        }
      }
    });
  }

  release(): void {
    if (this.relay) this.d.binder.unbind(this.relay.route.routeId.toString('hex'));
    this.relay = null;
    if (this.probeSocket !== null) {
      // The helper keeps a socket that carries a path: take the peer off it first.
      this.d.dataPlane.setPath(this.member.publicKey, { kind: 'none' });
      this.releaseProbeSocket();
    }
  }

  /** Closes the probe socket a direct path used, once the path has moved off it. */
  private releaseProbeSocket(): void {
    const socket = this.probeSocket;
    if (socket === null || !this.d.probeSockets) return;
    this.probeSocket = null;
    this.d.probeSockets
      .close([socket])
      .catch((e: Error) => this.log.warn('probe socket not closed', { socket, error: e.message }));
  }

  // --- hole punching ------------------------------------------------------------------------

  private tryDirect(): void {
    // A second punch while one is under way would only cut the first short.
    if (!this.d.tasks.has(`${this.prefix}punch`)) {
      this.d.tasks.start(`${this.prefix}punch`, (s) => this.initiatePunch(s));
    }
  }

  private async initiatePunch(signal: AbortSignal): Promise<void> {
    if (this.probeRole() === 'opener' && this.d.openerQueue) {
      await this.d.openerQueue.run(async () => {
        if (!signal.aborted) await this.signalAndPunch(signal);
      });
      return;
    }
    await this.signalAndPunch(signal);
  }

  private async signalAndPunch(signal: AbortSignal): Promise<void> {
    const at = this.d.control.serverNow() + PUNCH_LEAD_MS;
    this.punchAttempt = (this.punchAttempt + 1) % 100;
    try {
      await this.d.control.signal(this.member.publicKey, {
        kind: 'punch',
        at,
        attempt: this.punchAttempt,
      });
    } catch (error) {
      this.log.warn('punch signal failed', { error: (error as Error).message });
      this.record.punchFailed('signal-failed');
      this.d.onChange();
      return;
    }
    await this.runPunch(this.d.clock.now() + PUNCH_LEAD_MS, this.punchAttempt, signal);
  }

  private async runPunch(localAt: number, attempt: number, signal: AbortSignal): Promise<void> {
    // The candidates are read at the signalled moment, not when the signal arrives: the peer's
    // address (its NAT verdict) may reach us during the lead time, and a follower without it
    // cannot open its NAT towards the leader, which fails the whole attempt.
    const wait = localAt - this.d.clock.now();
    if (wait > 0) await sleep(this.d.clock, wait, signal);
    if (signal.aborted) return;
    const probing = this.probeRole();
    if (probing) return this.runPortProbe(probing, localAt, attempt, signal);
    // No known address is no reason to sit out: the peer's pings reach us from its fresh mapping
    // (heardFrom adds it), which is all a peer whose NAT verdict is still pending can offer.
    const candidates = this.candidates();
    // Except when only port probing could open the pair and we refuse it (probeBlocked): then
    // the signal asks for nothing we will do, and the status keeps saying why.
    const blocked = this.probeBlocked();
    if (blocked !== null && candidates.length === 0) {
      this.log.info('punch signal not followed: port probing not tried', { attempt, why: blocked });
      return;
    }
    const route = this.mapping();
    // Through a mapping there is nothing to open first: the sending side pings at full TTL, and
    // the answering side (no candidates of its own) pings back whatever address it hears from.
    const plan = route
      ? { attempt, leads: true, openerTtl: punchPlan(attempt, true, CONE_PAIR).openerTtl }
      : punchPlan(attempt, this.initiator, {
          self: this.d.self.natType,
          peer: this.member.natType,
        });
    this.record.punchStarted(candidates.some((c) => c.kind === 'lan'));
    this.record.punchPlanned({
      attempt,
      role: plan.leads ? 'leader' : 'follower',
      openerTtl: plan.openerTtl,
      family: candidates.every((c) => c.host.includes(':')) ? 'ipv6' : 'ipv4',
    });
    const ipv6Only = candidates.length > 0 && candidates.every((c) => c.host.includes(':'));
    this.log.info('hole punching', {
      candidates: candidates.map((c) => formatEndpoint(c)).join(','),
      attempt,
      // IPv6 candidates are pinged at once by both sides (peer-link.ts): the plan is IPv4's.
      role: ipv6Only
        ? 'both at once (IPv6)'
        : plan.leads
          ? 'leader'
          : `follower (opener TTL ${plan.openerTtl})`,
    });
    const outcome = await this.link.punch(candidates, localAt, PUNCH_WINDOW_MS, signal, plan);
    if (signal.aborted) return;
    const path = outcome.path;
    const cost = { pings: outcome.pings, lowTtlPings: outcome.lowTtlPings };
    if (path) {
      this.failure = null;
      this.directFailures = 0;
      const viaMapping = route !== null && path.kind === 'direct' && !path.via.host.includes(':');
      // IPv6 candidates are pinged at once by both sides (peer-link.ts): no leader, no opener TTL.
      this.directMethod = viaMapping
        ? `via ${MAPPING_WORDS[route.protocol]} mapping (${route.role === 'send' ? "the peer's router" : 'our router'}, attempt ${attempt})`
        : path.via.host.includes(':')
          ? `after both sides' probes opened their firewalls (attempt ${attempt})`
          : `after hole punching (attempt ${attempt}, ${plan.leads ? 'leading' : `opened with TTL ${plan.openerTtl}`})`;
      this.record.punchSucceeded(
        path.kind === 'lan' ? 'lan' : 'direct',
        viaMapping ? 'port-mapping' : 'hole-punch',
      );
      this.record.punchPlanned({
        attempt,
        role: plan.leads ? 'leader' : 'follower',
        openerTtl: plan.openerTtl,
        family: path.via.host.includes(':') ? 'ipv6' : 'ipv4',
      });
      this.log.info('direct path proven', {
        path: path.kind,
        endpoint: formatEndpoint(path.via),
        attempt,
        afterMs: outcome.provenAfterMs,
        ...cost,
      });
    } else if (this.onDirect()) {
      // An overlapping, newer attempt proved a direct path while this one ran (the first punch
      // runs under `begin`, outside the punch task, so a later signal does not cancel it): its
      // silence says nothing, and moving back to the relay would undo the working path.
      this.log.info('direct attempt ended unanswered; a newer attempt holds a direct path', {
        attempt,
        ...cost,
      });
    } else {
      this.directFailures++;
      const retryMs = directRetryDelayMs(this.directFailures);
      this.nextDirectAt = this.d.clock.now() + retryMs;
      this.record.punchRetryAt(this.nextDirectAt);
      const tried = route
        ? `through ${route.role === 'send' ? "the peer's" : 'our'} ${MAPPING_WORDS[route.protocol]} mapping`
        : `hole punching, ${plan.leads ? 'leading' : `following with TTL-${plan.openerTtl} openers`}`;
      this.failure = `${this.choice.reason}; direct attempt ${this.directFailures} failed (${tried}), using the relay; next try in ${Math.round(retryMs / 1000)} s`;
      this.record.punchFailed('no-answer');
      this.log.warn('direct attempt failed; staying on the relay', { attempt, retryMs, ...cost });
      this.restoreRelayPath();
      if (this.leadsDirect()) this.scheduleDirectRetry(retryMs);
    }
    this.d.onChange();
  }

  // --- port probing (symmetric ↔ cone; paths/port-probing.ts) ------------------------------

  /**
   * This side's role when the pair would be relayed and port probing can open it, else null —
   * and only towards a peer whose announced public IP is the one the control server sees it at:
   * both roles spray the announced address (256 openers, or up to 1,280 probes per attempt), so
   * a member announcing a stranger's IP must get nothing sent there (announced-endpoint.ts).
   */
  private probeRole(): PortProbeRole | null {
    const role = this.probeRoleByNat();
    return role !== null && this.probeBlocked() === null ? role : null;
  }

  private probeRoleByNat(): PortProbeRole | null {
    if (this.choice.strategy !== 'relay' || !this.prober || !this.member.publicEndpoint)
      return null;
    if (!this.d.config.portProbing) return null;
    return portProbeRole(this.d.self.natType, this.member.natType);
  }

  /** Why port probing is not aimed at the peer although the NAT types call for it, else null. */
  private probeBlocked(): string | null {
    if (this.probeRoleByNat() === null) return null;
    const check = checkAnnouncedIp(this.member.publicEndpoint, this.member.seenIp);
    return check.confirmed ? null : unconfirmedWords(check);
  }

  private async runPortProbe(
    role: PortProbeRole,
    localAt: number,
    attempt: number,
    signal: AbortSignal,
  ): Promise<void> {
    const ep = parseEndpoint(this.member.publicEndpoint ?? '');
    if (!ep.ok || !this.prober) return;
    const openerTtl = punchPlan(attempt, this.initiator, {
      self: this.d.self.natType,
      peer: this.member.natType,
    }).openerTtl;
    this.record.portProbeStarted({ attempt, role });
    this.log.info('port probing', {
      endpoint: `${ep.value.host}:${ep.value.port}`,
      attempt,
      role:
        role === 'opener' ? `opener (extra sockets, TTL ${openerTtl})` : 'prober (random ports)',
    });
    const outcome = await this.prober.run(
      role,
      { ...ep.value, seenIp: this.member.seenIp },
      localAt,
      openerTtl,
      signal,
    );
    if (signal.aborted) {
      if (outcome.socket !== null) this.probeSocket = outcome.socket;
      return;
    }
    const cost = { packets: outcome.packets, sockets: outcome.sockets };
    if (outcome.path) {
      this.failure = null;
      this.directFailures = 0;
      this.probeSocket = outcome.socket;
      const after = ((outcome.provenAfterMs ?? 0) / 1000).toFixed(2);
      this.directMethod = `after port probing (attempt ${attempt}, ${outcome.packets} packets, ${after} s)`;
      this.record.portProbeSucceeded(outcome);
      this.log.info('direct path proven by port probing', {
        endpoint: `${outcome.path.via.host}:${outcome.path.via.port}`,
        ...(outcome.socket !== null && { socket: outcome.socket }),
        attempt,
        afterMs: outcome.provenAfterMs,
        ...cost,
      });
    } else {
      this.directFailures++;
      const retryMs = directRetryDelayMs(this.directFailures);
      this.nextDirectAt = this.d.clock.now() + retryMs;
      this.record.portProbeFailed(outcome, this.nextDirectAt);
      this.failure = `${this.choice.reason}; port probing attempt ${this.directFailures} found no common port (${outcome.packets} packets), using the relay; next try in ${Math.round(retryMs / 1000)} s`;
      this.log.warn('port probing failed; staying on the relay', { attempt, retryMs, ...cost });
      this.restoreRelayPath();
      if (this.leadsDirect()) this.scheduleDirectRetry(retryMs);
    }
    this.d.onChange();
  }

  /** The initiator tries direct again once conntrack has forgotten the failed attempt. */
  private scheduleDirectRetry(delayMs: number): void {
    this.d.tasks.start(`${this.prefix}direct-retry`, async (signal) => {
      await sleep(this.d.clock, delayMs, signal);
      if (!signal.aborted) this.retryDirect();
    });
  }

  private candidates(): Candidate[] {
    const out: Candidate[] = [];
    const add = (kind: Candidate['kind'], text: string | null) => {
      if (!text) return;
      const ep = parseEndpoint(text);
      if (ep.ok && !out.some((c) => c.host === ep.value.host && c.port === ep.value.port)) {
        out.push({ kind, host: ep.value.host, port: ep.value.port });
      }
    };
    // Global IPv6 first: no NAT on the way, only firewalls that both sides' probes open.
    for (const c of this.peerIpv6()) add('direct', c);
    if (this.choice.strategy === 'relay') return out;
    if (this.choice.strategy === 'lan') for (const c of this.member.localCandidates) add('lan', c);
    const route = this.choice.strategy === 'lan' ? null : this.mapping();
    // Through a mapping only: the answering side sends nothing first (port-mapping.ts says why).
    if (route?.role === 'send') add('direct', route.endpoint);
    if (!route) add('direct', this.member.publicEndpoint);
    return out;
  }

  /** Whose router mapping this pair goes through, if any (src-shared/domain/port-mapping.ts). */
  private mapping(): MappingRoute | null {
    return mappingRoute(
      { publicKey: this.d.self.publicKey, mapping: this.d.self.portMapping ?? null },
      { publicKey: this.member.publicKey, mapping: this.member.portMapping ?? null },
    );
  }

  /** The peer's global IPv6 candidates, when we have IPv6 too. */
  private peerIpv6(): string[] {
    if (!this.d.self.hasIpv6) return [];
    return this.member.localCandidates.filter((c) => {
      const ep = parseEndpoint(c);
      return ep.ok && isGlobalIpv6(ep.value.host);
    });
  }

  // --- relays -------------------------------------------------------------------------------

  private relayOp(body: (signal: AbortSignal) => Promise<void>): void {
    this.d.tasks.start(`${this.prefix}relay`, body);
  }

  private reselectRelay(exclude: ReadonlySet<string>): void {
    this.record.relayTrying();
    this.relayOp(async (s) => {
      await this.d.relays.measureAll(RELAY_MEASUREMENT_MAX_AGE_MS);
      if (!s.aborted) await this.switchRelay(exclude, s);
    });
  }

  /** Picks a relay, tells the peer, binds there; the next candidate when one does not answer. */
  private async switchRelay(exclude: ReadonlySet<string>, signal: AbortSignal): Promise<boolean> {
    for (let tries = 0; tries < RELAY_TRIES && !signal.aborted; tries++) {
      const pick = this.d.relays.choose(new Set([...exclude, ...this.failedRelays]));
      if (!pick) {
        this.record.relayFailed('no-relay');
        return false;
      }
      const epoch = ++this.relayEpoch;
      this.d.control
        .signal(this.member.publicKey, { kind: 'relay', relayId: pick.id, epoch })
        .catch((e: Error) => this.log.warn('relay signal failed', { error: e.message }));
      if (await this.bindRelay(pick.id, epoch)) return true;
      // Superseded by a newer relay task: that is no verdict on this relay.
      if (signal.aborted) return false;
      this.failedRelays.add(pick.id);
      this.d.relays.markUnresponsive(pick.id);
    }
    return false;
  }

  private async bindRelay(relayId: string, epoch: number): Promise<boolean> {
    const endpoint = await this.d.relays.endpointOf(relayId);
    if (!endpoint) {
      this.log.warn('relay unknown or unresolvable', { relay: relayId });
      this.record.relayFailed('relay-unreachable');
      return false;
    }
    let route: RelayRoute;
    try {
      const grant = relayRouteFromGrant(await this.d.control.grant(this.member.publicKey));
      if (!grant.ok) throw new Error(grant.error);
      route = grant.value;
    } catch (error) {
      this.log.warn('no route token', { error: (error as Error).message });
      this.record.relayFailed('no-route-token');
      return false;
    }
    if (this.relay && this.relay.endpoint.id !== relayId) {
      this.d.binder.unbind(this.relay.route.routeId.toString('hex'));
    }
    this.relay = { endpoint, route, epoch };
    this.d.dataPlane.acceptRoute(this.member.publicKey, route.routeId);
    const ok = await this.d.binder.bind(endpoint, route, RELAY_BIND_TIMEOUT_MS);
    if (this.relay?.epoch !== epoch) return ok;
    const refused = this.d.binder.refusalOf(route.routeId.toString('hex'));
    this.log.info(ok ? 'relay bound' : refused ? 'relay refused us' : 'relay did not answer', {
      relay: relayId,
      epoch,
      ...(refused && { reason: refused }),
    });
    if (!ok) this.record.relayFailed('relay-unreachable');
    if (ok) {
      this.record.relayBound();
      this.keepGrantFresh(epoch);
      this.failedRelays.delete(relayId);
      this.d.relays.markResponsive(relayId);
      if (!this.onDirect()) this.restoreRelayPath();
      this.nudgeUntilPeerBinds(relayId, epoch, route.routeId.toString('hex'));
    }
    return ok;
  }

  /** Re-sends our relay choice until the relay says the peer has bound the route too. */
  private nudgeUntilPeerBinds(relayId: string, epoch: number, routeHex: string): void {
    this.d.tasks.start(`${this.prefix}nudge`, async (signal) => {
      while (!signal.aborted && this.relay?.epoch === epoch) {
        await sleep(this.d.clock, RELAY_NUDGE_MS, signal);
        if (signal.aborted || this.relay?.epoch !== epoch || this.d.binder.isPeerBound(routeHex))
          return;
        await this.d.control
          .signal(this.member.publicKey, { kind: 'relay', relayId, epoch })
          // Lost nudges are why the loop exists: say so, and try again next round.
          .catch((e: Error) => this.log.warn('relay nudge failed', { error: e.message }));
      }
    });
  }

  private restoreRelayPath(): void {
    if (!this.relay) return;
    const { endpoint, route } = this.relay;
    const peerBound = this.d.binder.isPeerBound(route.routeId.toString('hex'));
    this.link.useRelay(endpoint.id, endpoint.host, endpoint.port, route.routeId, peerBound);
  }

  /** The peer's ping came through a relay route (see PeerLink.heardOnRelay). */
  heardOnRelay(routeId: Uint8Array): void {
    this.link.heardOnRelay(routeId);
  }

  private onDirect(): boolean {
    const kind = this.link.path?.kind;
    return kind === 'direct' || kind === 'lan';
  }

  /** Direct is worth trying: the NAT types allow it, or both sides have global IPv6. */
  private wantsDirect(): boolean {
    return (
      this.choice.strategy !== 'relay' || this.peerIpv6().length > 0 || this.probeRole() !== null
    );
  }

  /** Decides the strategy and records it, with port probing's refusal when there is one. */
  private plan(): StrategyChoice {
    this.choice = this.decide();
    this.record.planned(this.choice);
    const blocked = this.probeBlocked();
    if (blocked !== null) this.record.probeRefused();
    // Logged once per change, not on every member update that leaves it as it was.
    if (blocked !== null && blocked !== this.loggedBlock)
      this.log.warn('port probing not tried', { why: blocked });
    this.loggedBlock = blocked;
    return this.choice;
  }

  private decide(): StrategyChoice {
    const self = this.d.self;
    const ep = this.member.publicEndpoint ? parseEndpoint(this.member.publicEndpoint) : null;
    const table = chooseStrategy(
      { natType: self.natType, publicIp: self.publicIp },
      { natType: this.member.natType, publicIp: ep && ep.ok ? ep.value.host : null },
    );
    const route = this.mapping();
    if (table.strategy === 'lan' || !route) return table;
    // A mapped port takes packets from any address: direct whatever the two NATs are.
    const whose = route.role === 'send' ? "the peer's router" : 'our router';
    return {
      strategy: 'direct',
      reason: `${self.natType} ↔ ${this.member.natType}: ${whose} mapped a port (${MAPPING_WORDS[route.protocol]})`,
    };
  }
}
