import type {
  AttemptReason,
  CoordinationAttempt,
  CoordinationMethod,
  PathKind,
  PeerCoordination,
  PortProbeSummary,
  PunchSummary,
} from '../../../src-shared/domain/core-status.js';
import type { StrategyChoice } from '../../../src-shared/domain/connection-strategy.js';
import type { NatType } from '../../../src-shared/domain/nat-type.js';

/**
 * The record of what the ConnectionCoordinator tried for one peer — LAN, hole punch, relay — and
 * how each went, kept as events happen and read into PeerStatus.coordination. Pure bookkeeping:
 * the transitions live here, in one place, and are tested by table.
 */
const attempt = (outcome: CoordinationAttempt['outcome'], reason: AttemptReason) => ({
  outcome,
  reason,
});

export class CoordinationRecord {
  private lan: CoordinationAttempt = attempt('not-tried', 'different-networks');
  private holePunch: CoordinationAttempt = attempt('not-tried', 'nat-incompatible');
  private relay: CoordinationAttempt = attempt('trying', 'ok');
  private punch: PunchSummary | null = null;
  private portProbe: PortProbeSummary | null = null;
  /** What opened the live direct path: punching, port probing, or a router's port mapping. */
  private directVia: CoordinationMethod = 'hole-punch';

  /** The strategy was (re)decided: what is not going to be tried, and why. */
  planned(choice: StrategyChoice): void {
    if (choice.strategy !== 'lan' && this.lan.outcome !== 'succeeded')
      this.lan = attempt('not-tried', 'different-networks');
    if (choice.strategy === 'relay') this.holePunch = attempt('not-tried', 'nat-incompatible');
    else if (this.holePunch.outcome === 'not-tried') this.holePunch = attempt('trying', 'ok');
  }

  /**
   * Port probing would be tried, but the peer's announced IP is not the one the control server
   * sees it at: nothing is sent there (announced-endpoint.ts).
   */
  probeRefused(): void {
    if (this.holePunch.outcome !== 'succeeded')
      this.holePunch = attempt('not-tried', 'endpoint-unconfirmed');
  }

  /** Punching begins towards these kinds of candidates. */
  punchStarted(lan: boolean): void {
    if (lan) this.lan = attempt('trying', 'ok');
    this.holePunch = attempt('trying', 'ok');
  }

  /** A port-probing attempt begins (the hole-punch attempt row covers it too). */
  portProbeStarted(plan: { attempt: number; role: PortProbeSummary['role'] }): void {
    this.holePunch = attempt('trying', 'ok');
    this.portProbe = {
      ...plan,
      outcome: 'trying',
      sockets: 0,
      packets: 0,
      timeToDirectMs: null,
      nextTryAt: null,
    };
  }

  portProbeSucceeded(o: { sockets: number; packets: number; provenAfterMs: number | null }): void {
    this.holePunch = attempt('succeeded', 'ok');
    this.directVia = 'port-probe';
    if (this.portProbe)
      this.portProbe = {
        ...this.portProbe,
        outcome: 'succeeded',
        sockets: o.sockets,
        packets: o.packets,
        timeToDirectMs: o.provenAfterMs,
      };
  }

  portProbeFailed(o: { sockets: number; packets: number }, nextTryAt: number): void {
    this.holePunch = attempt('failed', 'no-answer');
    if (this.portProbe)
      this.portProbe = {
        ...this.portProbe,
        outcome: 'failed',
        sockets: o.sockets,
        packets: o.packets,
        nextTryAt,
      };
  }

  /** A punch proved a path of this kind; the other kind stays where it was. */
  punchSucceeded(kind: 'lan' | 'direct', via: 'hole-punch' | 'port-mapping' = 'hole-punch'): void {
    if (kind === 'lan') this.lan = attempt('succeeded', 'ok');
    else {
      this.holePunch = attempt('succeeded', 'ok');
      this.directVia = via;
    }
  }

  /** The plan of the punch under way (punch-schedule.ts); its next try is not known yet. */
  punchPlanned(plan: Omit<PunchSummary, 'nextTryAt'>): void {
    this.punch = { ...plan, nextTryAt: null };
  }

  /** When hole punching is tried next (after a failed attempt), in unix ms. */
  punchRetryAt(at: number): void {
    if (this.punch) this.punch = { ...this.punch, nextTryAt: at };
  }

  /** The punch window passed (or could not start) without a path. */
  punchFailed(reason: 'no-answer' | 'signal-failed'): void {
    if (this.lan.outcome === 'trying') this.lan = attempt('failed', reason);
    if (this.holePunch.outcome === 'trying') this.holePunch = attempt('failed', reason);
  }

  relayTrying(): void {
    if (this.relay.outcome !== 'succeeded') this.relay = attempt('trying', 'ok');
  }

  relayBound(): void {
    this.relay = attempt('succeeded', 'ok');
  }

  relayFailed(reason: 'no-relay' | 'no-route-token' | 'relay-unreachable'): void {
    this.relay = attempt('failed', reason);
  }

  /** A path in use stopped answering. */
  pathDied(kind: PathKind): void {
    if (kind === 'lan') this.lan = attempt('failed', 'path-died');
    else if (kind === 'direct') this.holePunch = attempt('failed', 'path-died');
    else this.relay = attempt('failed', 'path-died');
  }

  snapshot(selfNat: NatType, peerNat: NatType, current: PathKind | null): PeerCoordination {
    return {
      selfNat,
      peerNat,
      lan: { ...this.lan },
      holePunch: { ...this.holePunch },
      punch: this.punch && { ...this.punch },
      portProbe: this.portProbe && { ...this.portProbe },
      relay: { ...this.relay },
      openedBy:
        current === null ? null : current === 'direct' ? this.directVia : OPENED_BY[current],
    };
  }
}

const OPENED_BY: Record<PathKind, CoordinationMethod> = {
  lan: 'lan',
  direct: 'hole-punch',
  relay: 'relay',
};
