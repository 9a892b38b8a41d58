import type winston from 'winston';
import {
  chooseStrategy,
  type StrategyChoice,
} from '../../../src-shared/domain/connection-strategy.js';
import type { PeerState, PeerStatus } from '../../../src-shared/domain/core-status.js';
import { parseEndpoint } from '../../../src-shared/domain/endpoint.js';
import type { NatType } from '../../../src-shared/domain/nat-type.js';
import type { Member, RouteGrant, Signal } from '../../../src-shared/protocol/control-messages.js';
import type { Config } from '../config/config-schema.js';
import { PeerLink, type Candidate, type LivePath, type PeerLinkEvent } from '../paths/peer-link.js';
import type { ProbeEngine } from '../paths/probe-engine.js';
import type { UdpMux } from '../paths/udp-mux.js';
import type { RelayBinder, RelayEndpoint } from '../relay/relay-binder.js';
import type { RelayDirectory } from '../relay/relay-directory.js';
import { relayRouteFromGrant, type RelayRoute } from '../relay/relay-frames-client.js';
import type { TaskManager } from '../tasks/task-manager.js';
import type { WgPeerConfig } from '../wireguard/wg-cli.js';
import { nextPeerState } from './peer-state.js';

/**
 * One peer, from discovery to cleanup: WireGuard peer configured once (endpoint = our loopback
 * port for it), then paths underneath — a relay route first (it works for every NAT pair and
 * takes one round trip), a direct path when the NAT types allow it (hole punching at a signalled
 * moment), back to the relay when the direct path dies, to another relay when a relay dies.
 *
 * Roles: the member whose key sorts first is the *initiator*: it picks the relay for the pair and
 * times the punches. Both sides would reach the same answers, but one voice avoids a race.
 */

/** Lead time of a punch signal: one control-server round trip with margin, so both start together. */
export const PUNCH_LEAD_MS = 400;
/** How long both sides ping each other's candidates; NAT holes open within a few RTTs. */
export const PUNCH_WINDOW_MS = 3_000;
/** First relay BIND answered within this, or the relay is skipped. */
export const RELAY_BIND_TIMEOUT_MS = 2_000;
/** Route tokens live 10 minutes; refresh well before. */
export const GRANT_REFRESH_MS = 4 * 60_000;
/** While the peer has not bound our relay choice, tell it again this often (signals can be lost). */
export const RELAY_NUDGE_MS = 2_000;
/** RTT samples kept for the UI's chart (a minute at the default probe rate). */
export const LATENCY_HISTORY = 60;

export interface PeerControl {
  grant(peer: string): Promise<RouteGrant>;
  signal(peer: string, signal: Signal): Promise<void>;
  /** Server clock (unix ms), for signals that name a moment. */
  serverNow(): number;
}

/** The part of the WireGuard interface a peer needs (WireGuardInterface fits). */
export interface PeerWireGuard {
  setPeer(peer: WgPeerConfig): Promise<void>;
  removePeer(publicKey: string): Promise<void>;
}

export interface SelfView {
  publicKey: string;
  natType: NatType;
  publicIp: string | null;
}

export interface PeerConnectionDeps {
  self: () => SelfView;
  mux: UdpMux;
  probes: ProbeEngine;
  binder: RelayBinder;
  relays: RelayDirectory;
  tasks: TaskManager;
  wireguard: PeerWireGuard;
  control: PeerControl;
  config: Config;
  log: winston.Logger;
  onChange: () => void;
  onGiveUp: (peer: string) => void;
}

export class PeerConnection {
  private member: Member;
  private readonly link: PeerLink;
  private state: PeerState = 'connecting';
  private strategyChoice: StrategyChoice;
  private directFailedReason: string | null = null;
  private latencyMs: number | null = null;
  private readonly history: number[] = [];
  private connectedSince: number | null = null;
  private relay: { endpoint: RelayEndpoint; route: RelayRoute; epoch: number } | null = null;
  private relayEpoch = 0;
  private readonly failedRelays = new Set<string>();
  private attempts = 0;
  private givenUp = false;
  private failedAt: number | null = null;
  private punchAttempt = 0;
  private readonly log: winston.Logger;
  private readonly prefix: string;
  private started = false;

  constructor(
    member: Member,
    private readonly d: PeerConnectionDeps,
  ) {
    this.member = member;
    this.prefix = `peer:${member.publicKey}:`;
    this.log = d.log.child({ peer: member.name, peerKey: member.publicKey.slice(0, 8) });
    this.strategyChoice = chooseStrategy(this.selfForStrategy(), this.peerForStrategy());
    this.link = new PeerLink({
      peerKey: member.publicKey,
      mux: d.mux,
      probes: d.probes,
      tasks: d.tasks,
      probeIntervalMs: d.config.probeIntervalMs,
      deadPathAfterMs: d.config.deadPathAfterMs,
      onEvent: (e) => this.onLinkEvent(e),
    });
  }

  get key(): string {
    return this.member.publicKey;
  }

  private get initiator(): boolean {
    return this.d.self().publicKey < this.member.publicKey;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const port = await this.d.mux.addPeer(this.key);
    this.d.probes.addPeer(this.key);
    await this.d.wireguard.setPeer({
      publicKey: this.key,
      virtualIp: this.member.virtualIp,
      endpoint: { host: '127.0.0.1', port },
      persistentKeepaliveSeconds: this.d.config.keepaliveSeconds,
    });
    this.log.info('connecting', {
      strategy: this.strategyChoice.strategy,
      reason: this.strategyChoice.reason,
    });
    this.link.startMonitoring();
    // Both checks would find nothing to do right after start: the first runs one period later.
    this.d.tasks.every(
      `${this.prefix}monitor`,
      this.d.config.monitorIntervalMs,
      () => this.monitor(),
      this.d.config.monitorIntervalMs,
    );
    this.d.tasks.every(
      `${this.prefix}grant`,
      GRANT_REFRESH_MS,
      () => this.refreshGrant(),
      GRANT_REFRESH_MS,
    );
    this.d.tasks.start(`${this.prefix}connect`, (signal) => this.connect(signal));
  }

  /** The control server's newer view of the peer (new endpoint, NAT type, online flag). */
  update(member: Member): void {
    const endpointChanged =
      member.publicEndpoint !== this.member.publicEndpoint ||
      member.natType !== this.member.natType;
    this.member = member;
    this.strategyChoice = chooseStrategy(this.selfForStrategy(), this.peerForStrategy());
    if (endpointChanged && this.initiator && this.wantsDirect() && !this.onDirect()) {
      this.punchOp((signal) => this.initiatePunch(signal));
    }
    this.d.onChange();
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
      return;
    }
    if (signal.kind === 'punch' && this.wantsDirect()) {
      const localAt = signal.at - (this.d.control.serverNow() - Date.now());
      this.d.tasks.start(`${this.prefix}punch`, (s) => this.runPunch(localAt, s));
    }
  }

  /** A ping from this peer reached us directly at `from` (possibly a new mapping). */
  heardFrom(from: { host: string; port: number }): void {
    this.link.heardFrom(from);
  }

  async stop(): Promise<void> {
    await this.d.tasks.cancelPrefix(this.prefix);
    await this.link.stop();
    if (this.relay) this.d.binder.unbind(this.relay.route.routeId.toString('hex'));
    this.d.probes.removePeer(this.key);
    await this.d.wireguard
      .removePeer(this.key)
      .catch((e: Error) => this.log.warn('removing WireGuard peer failed', { error: e.message }));
    await this.d.mux.removePeer(this.key);
    this.log.info('cleaned up');
  }

  status(): PeerStatus {
    const path = this.link.path;
    const relayEndpoint = this.relay
      ? `${this.relay.endpoint.host}:${this.relay.endpoint.port}`
      : null;
    const onRelay = path?.kind === 'relay';
    return {
      id: this.key,
      name: this.member.name,
      virtualIp: this.member.virtualIp,
      strategy: path
        ? onRelay
          ? 'relay'
          : 'direct'
        : this.strategyChoice.strategy === 'relay'
          ? 'relay'
          : 'direct',
      path: path?.kind ?? null,
      endpoint: path ? `${path.via.host}:${path.via.port}` : null,
      relay: onRelay && path.relayId ? { id: path.relayId, endpoint: relayEndpoint ?? '' } : null,
      natType: this.member.natType,
      latencyMs: this.latencyMs,
      latencyHistory: [...this.history],
      state: this.state,
      connectedSince: this.connectedSince,
      online: this.member.online,
      reason: this.directFailedReason ?? this.strategyChoice.reason,
    };
  }

  get failedSince(): number | null {
    return this.failedAt;
  }

  // --- connecting ---------------------------------------------------------------------------

  private async connect(signal: AbortSignal): Promise<void> {
    if (!this.initiator) return; // The responder binds and punches when the initiator says so.
    this.relayOp(async (s) => {
      await this.d.relays.measureAll();
      if (!s.aborted) await this.switchRelay(new Set(), s);
    });
    if (this.wantsDirect() && !signal.aborted) await this.initiatePunch(signal);
  }

  /**
   * Every change of relay runs as this peer's one relay task: a newer change waits for the older
   * to finish, so two binds never race and unbind each other.
   */
  private relayOp(body: (signal: AbortSignal) => Promise<void>): void {
    this.d.tasks.start(`${this.prefix}relay`, body);
  }

  /** Starts a punch unless one is under way (a second would only cut the first short). */
  private punchOp(body: (signal: AbortSignal) => Promise<void>): void {
    if (!this.d.tasks.has(`${this.prefix}punch`)) this.d.tasks.start(`${this.prefix}punch`, body);
  }

  private async initiatePunch(signal: AbortSignal): Promise<void> {
    const at = this.d.control.serverNow() + PUNCH_LEAD_MS;
    this.punchAttempt = (this.punchAttempt + 1) % 100;
    try {
      await this.d.control.signal(this.key, { kind: 'punch', at, attempt: this.punchAttempt });
    } catch (error) {
      this.log.warn('punch signal failed', { error: (error as Error).message });
      return;
    }
    await this.runPunch(Date.now() + PUNCH_LEAD_MS, signal);
  }

  private async runPunch(localAt: number, signal: AbortSignal): Promise<void> {
    const candidates = this.candidates();
    if (candidates.length === 0) return;
    this.log.info('hole punching', {
      candidates: candidates.map((c) => `${c.host}:${c.port}`).join(','),
    });
    const path = await this.link.punch(candidates, localAt, PUNCH_WINDOW_MS, signal);
    if (signal.aborted) return;
    if (path) {
      this.directFailedReason = null;
      this.log.info('direct path proven', {
        path: path.kind,
        endpoint: `${path.via.host}:${path.via.port}`,
      });
    } else {
      this.directFailedReason = `${this.strategyChoice.reason}; direct attempt failed, using the relay`;
      this.log.warn('direct attempt failed; staying on the relay');
      this.restoreRelayPath();
    }
    this.d.onChange();
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
    if (this.strategyChoice.strategy === 'lan')
      for (const c of this.member.localCandidates) add('lan', c);
    add('direct', this.member.publicEndpoint);
    return out;
  }

  // --- relays -------------------------------------------------------------------------------

  /** Initiator or a side whose relay died: pick a relay, tell the peer, bind there. */
  private async switchRelay(exclude: ReadonlySet<string>, signal: AbortSignal): Promise<boolean> {
    for (let tries = 0; tries < 3 && !signal.aborted; tries++) {
      const choice = this.d.relays.choose(new Set([...exclude, ...this.failedRelays]));
      if (!choice) return false;
      const epoch = ++this.relayEpoch;
      this.d.control
        .signal(this.key, { kind: 'relay', relayId: choice.id, epoch })
        .catch((e: Error) => {
          this.log.warn('relay signal failed', { error: e.message });
        });
      if (await this.bindRelay(choice.id, epoch)) return true;
      // Superseded by a newer relay task: that is no verdict on this relay.
      if (signal.aborted) return false;
      this.failedRelays.add(choice.id);
    }
    return false;
  }

  private async bindRelay(relayId: string, epoch: number): Promise<boolean> {
    const endpoint = await this.d.relays.endpointOf(relayId);
    if (!endpoint) {
      this.log.warn('relay unknown or unresolvable', { relay: relayId });
      return false;
    }
    let route: RelayRoute;
    try {
      const parsed = relayRouteFromGrant(await this.d.control.grant(this.key));
      if (!parsed.ok) throw new Error(parsed.error);
      route = parsed.value;
    } catch (error) {
      this.log.warn('no route token', { error: (error as Error).message });
      return false;
    }
    if (this.relay && this.relay.endpoint.id !== relayId) {
      this.d.binder.unbind(this.relay.route.routeId.toString('hex'));
    }
    this.relay = { endpoint, route, epoch };
    const ok = await this.d.binder.bind(endpoint, route, RELAY_BIND_TIMEOUT_MS);
    if (this.relay?.epoch !== epoch) return ok;
    this.log.info(ok ? 'relay bound' : 'relay did not answer', { relay: relayId, epoch });
    if (ok) {
      this.failedRelays.delete(relayId);
      if (!this.onDirect()) this.restoreRelayPath();
      this.nudgeUntilPeerBinds(relayId, epoch, route.routeId.toString('hex'));
    }
    return ok;
  }

  /** Re-sends our relay choice until the relay says the peer has bound the route too. */
  private nudgeUntilPeerBinds(relayId: string, epoch: number, routeHex: string): void {
    this.d.tasks.start(`${this.prefix}nudge`, async (signal) => {
      while (!signal.aborted && this.relay?.epoch === epoch) {
        await new Promise((r) => setTimeout(r, RELAY_NUDGE_MS));
        if (signal.aborted || this.relay?.epoch !== epoch || this.d.binder.isPeerBound(routeHex))
          return;
        await this.d.control.signal(this.key, { kind: 'relay', relayId, epoch }).catch(() => {});
      }
    });
  }

  private restoreRelayPath(): void {
    if (!this.relay) return;
    const { endpoint, route } = this.relay;
    this.link.useRelay(endpoint.id, endpoint.host, endpoint.port, route.routeId);
  }

  private async refreshGrant(): Promise<void> {
    if (!this.relay) return;
    const parsed = relayRouteFromGrant(await this.d.control.grant(this.key));
    if (parsed.ok && this.relay) {
      this.relay.route = parsed.value;
      this.d.binder.refresh(parsed.value);
    }
  }

  // --- monitoring ---------------------------------------------------------------------------

  private onLinkEvent(e: PeerLinkEvent): void {
    if (e.type === 'rtt') {
      this.latencyMs = Math.round(e.rttMs * 100) / 100;
      this.history.push(this.latencyMs);
      if (this.history.length > LATENCY_HISTORY) this.history.shift();
      this.setState(true);
    } else if (e.type === 'path') {
      this.log.info('path', { kind: e.path.kind, relay: e.path.relayId ?? undefined });
    } else {
      this.onPathDead(e.path);
    }
    this.d.onChange();
  }

  private onPathDead(path: LivePath): void {
    this.log.warn('path dead', { kind: path.kind, relay: path.relayId ?? undefined });
    this.latencyMs = null;
    if (path.kind !== 'relay' && this.relay) {
      this.directFailedReason = 'direct path died; using the relay';
      this.restoreRelayPath();
      return;
    }
    if (path.kind === 'relay' && path.relayId) {
      this.failedRelays.add(path.relayId);
      const dead = path.relayId;
      this.relayOp(async (s) => {
        await this.d.relays.measureAll();
        await this.switchRelay(new Set([dead]), s);
      });
    }
    this.setState(false);
  }

  private async monitor(): Promise<void> {
    const path = this.link.path;
    const alive = path !== null && this.latencyMs !== null;
    if (!alive) {
      if (this.givenUp) return;
      this.attempts++;
      if (this.attempts > this.d.config.reconnectAttempts) {
        this.givenUp = true;
        this.failedAt = Date.now();
        this.setState(false);
        this.log.error('giving up after reconnect attempts', {
          attempts: this.d.config.reconnectAttempts,
        });
        this.d.onGiveUp(this.key);
        return;
      }
      this.log.warn('reconnecting', { attempt: this.attempts });
      this.failedRelays.clear();
      this.relayOp(async (s) => {
        await this.d.relays.measureAll();
        await this.switchRelay(new Set(), s);
      });
      if (this.wantsDirect() && this.initiator) this.punchOp((s) => this.initiatePunch(s));
      return;
    }
    this.attempts = 0;
    // A relayed pair whose NATs allow direct tries again now and then: the NATs may have changed.
    if (path.kind === 'relay' && this.wantsDirect() && this.initiator) {
      this.punchOp((s) => this.initiatePunch(s));
    }
    if (path.kind === 'relay' && this.state === 'degraded' && this.initiator) {
      await this.d.relays.measureAll();
      const better = this.d.relays.choose(new Set([path.relayId ?? '']));
      const current = this.d.relays.latencyOf(path.relayId ?? '');
      const candidate = better ? this.d.relays.latencyOf(better.id) : null;
      if (better && candidate !== null && (current === null || candidate < current)) {
        this.log.warn('degraded on relay; switching', { from: path.relayId, to: better.id });
        const current = new Set([path.relayId ?? '']);
        this.relayOp((s) => this.switchRelay(current, s).then(() => {}));
      }
    }
  }

  private setState(pathAlive: boolean): void {
    const next = nextPeerState(this.state, {
      pathAlive,
      rttMs: this.latencyMs,
      degradedThresholdMs: this.d.config.degradedThresholdMs,
      givenUp: this.givenUp,
    });
    if (pathAlive) {
      this.givenUp = false;
      this.failedAt = null;
      this.attempts = 0;
    }
    if (next === this.state) return;
    this.log.info(`state ${this.state} → ${next}`, { latencyMs: this.latencyMs ?? undefined });
    if ((next === 'connected' || next === 'degraded') && this.connectedSince === null)
      this.connectedSince = Date.now();
    if (next === 'failed') this.connectedSince = null;
    this.state = next;
  }

  private onDirect(): boolean {
    const kind = this.link.path?.kind;
    return kind === 'direct' || kind === 'lan';
  }

  private wantsDirect(): boolean {
    return this.strategyChoice.strategy !== 'relay';
  }

  private selfForStrategy() {
    const self = this.d.self();
    return { natType: self.natType, publicIp: self.publicIp };
  }

  private peerForStrategy() {
    const ep = this.member.publicEndpoint ? parseEndpoint(this.member.publicEndpoint) : null;
    return { natType: this.member.natType, publicIp: ep && ep.ok ? ep.value.host : null };
  }
}
