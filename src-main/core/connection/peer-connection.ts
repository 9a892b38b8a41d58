import type {
  AnnouncedMapping,
  MappingProtocolName,
} from '../../../src-shared/domain/port-mapping.js';
import type { PeerState, PeerStatus } from '../../../src-shared/domain/core-status.js';
import { formatEndpoint } from '../../../src-shared/domain/endpoint.js';
import type { NatType } from '../../../src-shared/domain/nat-type.js';
import type { Member, RouteGrant, Signal } from '../../../src-shared/protocol/control-messages.js';
import type { Config } from '../config/config-schema.js';
import type { DataPlane } from '../net/data-plane.js';
import type { ProbeSockets } from '../net/public-socket.js';
import type { OpenerQueue } from '../paths/opener-queue.js';
import { PeerLink, type PeerLinkEvent } from '../paths/peer-link.js';
import type { ProbeEngine } from '../paths/probe-engine.js';
import type { RelayBinder } from '../relay/relay-binder.js';
import type { RelayDirectory } from '../relay/relay-directory.js';
import type { TaskManager } from '../tasks/task-manager.js';
import type { Clock } from '../time/clock.js';
import { LatencyHistory } from './latency-history.js';
import { ConnectionCoordinator } from './connection-coordinator.js';
import { nextPeerState } from './peer-state.js';
import type { Logger } from '../../../src-common/logging/logger.js';

/**
 * One peer, from discovery to cleanup: the WireGuard peer is added to the data plane once, the
 * ConnectionCoordinator finds paths underneath — a relay route first
 * (it works for every NAT pair at once), a direct path when the NAT types allow it — and this
 * class follows the result: state (connecting → connected | degraded | failed), RTT on the live
 * path, reconnect attempts, and the status every face of LANrage shows.
 */

/** The control server as one peer of one party sees it (the party is bound in by the manager). */
export interface PeerControl {
  grant(peer: string): Promise<RouteGrant>;
  signal(peer: string, signal: Signal): Promise<void>;
  /** Server clock (unix ms), for signals that name a moment. */
  serverNow(): number;
}

export interface SelfView {
  publicKey: string;
  natType: NatType;
  publicIp: string | null;
  /** We have a global IPv6 candidate on the public port (ipv6-candidates.ts). */
  hasIpv6: boolean;
  /** The port our router mapped for us (portmap/), as announced to the party; null: none. */
  portMapping?: AnnouncedMapping | null;
  /** What each mapping protocol answered in the latest round, in order. */
  mappingTried?: readonly { protocol: MappingProtocolName; error: string | null }[];
}

export interface PeerConnectionDeps {
  /** This member; its NAT fields change once, when the NAT verdict arrives after start. */
  self: SelfView;
  clock: Clock;
  dataPlane: DataPlane;
  probes: ProbeEngine;
  /** Port probing's extra sockets (absent where the packet network has none). */
  probeSockets?: ProbeSockets;
  /** One port-probing opener at a time in this core (shared by every peer). */
  openerQueue?: OpenerQueue;
  /** Port probing's random ports; Math.random unless a test seeds it. */
  random?: () => number;
  binder: RelayBinder;
  relays: RelayDirectory;
  tasks: TaskManager;
  control: PeerControl;
  config: Config;
  log: Logger;
  onChange: () => void;
  onGiveUp: (peer: string) => void;
}

export class PeerConnection {
  private member: Member;
  private readonly link: PeerLink;
  private readonly coordinator: ConnectionCoordinator;
  private state: PeerState = 'connecting';
  private latencyMs: number | null = null;
  private readonly history = new LatencyHistory();
  private connectedSince: number | null = null;
  private attempts = 0;
  private givenUp = false;
  private failedAt: number | null = null;
  private readonly log: Logger;
  private readonly prefix: string;
  private started = false;

  constructor(
    member: Member,
    private readonly d: PeerConnectionDeps,
  ) {
    this.member = member;
    this.prefix = `peer:${member.publicKey}:`;
    this.log = d.log.child({ peer: member.name, peerKey: member.publicKey.slice(0, 8) });
    this.link = new PeerLink({
      peerKey: member.publicKey,
      dataPlane: d.dataPlane,
      probes: d.probes,
      clock: d.clock,
      tasks: d.tasks,
      probeIntervalMs: d.config.probeIntervalMs,
      deadPathAfterMs: d.config.deadPathAfterMs,
      onEvent: (e) => this.onLinkEvent(e),
      // The initiator's handshake goes first (see PeerLinkOptions.resendsHandshake).
      resendsHandshake: d.self.publicKey < member.publicKey,
    });
    this.coordinator = new ConnectionCoordinator(member, d, this.link, this.log, this.prefix);
  }

  get key(): string {
    return this.member.publicKey;
  }

  get failedSince(): number | null {
    return this.failedAt;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.d.probes.addPeer(this.key);
    // The WireGuard peer's request is written now; the path finding below does not wait for its
    // answer: its first steps (the route grant from the control server, the relay choice) need
    // nothing of the helper, and the helper applies requests in the order written, so every path
    // request comes after this one (issue #7: it took a helper round trip off each first path).
    // If adding fails, start throws and the owner's stop() cancels the tasks started here.
    const added = this.d.dataPlane.addPeer({
      publicKey: this.key,
      virtualIp: this.member.virtualIp,
      keepaliveSeconds: this.d.config.keepaliveSeconds,
    });
    const { strategy, reason } = this.coordinator.strategy;
    this.log.info('connecting', { strategy, reason });
    this.link.startMonitoring();
    // Both checks would find nothing to do right after start: the first runs one period later.
    const every = this.d.config.monitorIntervalMs;
    this.d.tasks.every(`${this.prefix}monitor`, every, () => this.monitor(), every);
    this.d.tasks.start(`${this.prefix}connect`, (signal) => this.coordinator.begin(signal));
    await added;
  }

  update(member: Member): void {
    this.member = member;
    this.coordinator.update(member);
    this.d.onChange();
  }

  onSignal(signal: Signal): void {
    this.coordinator.onSignal(signal);
  }

  relayPreferenceChanged(): void {
    this.coordinator.relayPreferenceChanged();
  }

  selfChanged(): void {
    this.coordinator.selfChanged();
    this.d.onChange();
  }

  /** A ping from this peer reached us through the relay route `routeId`. */
  heardOnRelay(routeId: Uint8Array): void {
    this.coordinator.heardOnRelay(routeId);
  }

  /** A ping from this peer reached us directly at `from` (possibly a new mapping). */
  heardFrom(from: { host: string; port: number; socket?: number }): void {
    if (from.socket === undefined) this.link.heardFrom(from);
    this.coordinator.heardFrom(from);
  }

  async stop(): Promise<void> {
    await this.d.tasks.cancelPrefix(this.prefix);
    await this.link.stop();
    this.coordinator.release();
    this.d.probes.removePeer(this.key);
    await this.d.dataPlane
      .removePeer(this.key)
      .catch((e: Error) => this.log.warn('removing WireGuard peer failed', { error: e.message }));
    this.log.info('cleaned up');
  }

  status(): PeerStatus {
    const path = this.link.path;
    const relay = this.coordinator.relayEndpoint;
    const onRelay = path?.kind === 'relay';
    const planned = this.coordinator.strategy.strategy === 'relay' ? 'relay' : 'direct';
    return {
      id: this.key,
      name: this.member.name,
      virtualIp: this.member.virtualIp,
      strategy: path ? (onRelay ? 'relay' : 'direct') : planned,
      path: path?.kind ?? null,
      endpoint: path ? formatEndpoint(path.via) : null,
      relay:
        onRelay && path.relayId
          ? { id: path.relayId, endpoint: relay ? formatEndpoint(relay) : '' }
          : null,
      natType: this.member.natType,
      latencyMs: this.latencyMs,
      latencyHistory: this.history.values(this.d.clock.now()),
      state: this.state,
      connectedSince: this.connectedSince,
      online: this.member.online,
      reason: this.coordinator.reason,
      coordination: this.coordinator.coordination(path?.kind ?? null),
    };
  }

  private onLinkEvent(e: PeerLinkEvent): void {
    if (e.type === 'rtt') {
      this.latencyMs = Math.round(e.rttMs * 100) / 100;
      this.history.add(this.latencyMs, this.d.clock.now());
      this.setState(true);
    } else if (e.type === 'path') {
      this.log.info('path', { kind: e.path.kind, relay: e.path.relayId ?? undefined });
    } else {
      this.log.warn('path dead', { kind: e.path.kind, relay: e.path.relayId ?? undefined });
      this.latencyMs = null;
      this.coordinator.onPathDead(e.path);
      this.setState(false);
    }
    this.d.onChange();
  }

  private async monitor(): Promise<void> {
    const path = this.link.path;
    if (path === null || this.latencyMs === null) {
      if (this.givenUp) return;
      this.attempts++;
      if (this.attempts > this.d.config.reconnectAttempts) {
        this.givenUp = true;
        this.failedAt = this.d.clock.now();
        this.setState(false);
        this.log.error('giving up after reconnect attempts', {
          attempts: this.d.config.reconnectAttempts,
        });
        this.d.onGiveUp(this.key);
        return;
      }
      this.log.warn('reconnecting', { attempt: this.attempts });
      this.coordinator.reconnect();
      return;
    }
    this.attempts = 0;
    // End to end: the path answers probes, but does WireGuard pass traffic over it?
    const icmp = await this.d.dataPlane.tunnelLatency(this.member.virtualIp);
    if (icmp === null) this.log.warn('no ICMP answer through the tunnel', { path: path.kind });
    else this.log.debug('tunnel ICMP', { latencyMs: icmp, path: path.kind });
    this.coordinator.retryDirect();
    if (path.kind === 'relay' && this.state === 'degraded')
      await this.coordinator.leaveDegradedRelay();
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
    if ((next === 'connected' || next === 'degraded') && this.connectedSince === null) {
      this.connectedSince = this.d.clock.now();
    }
    if (next === 'failed') this.connectedSince = null;
    this.state = next;
  }
}
