import type { PeerStatus } from '../../../src-shared/domain/core-status.js';
import { OpenerQueue } from '../paths/opener-queue.js';
import type { Member, RouteGrant, Signal } from '../../../src-shared/protocol/control-messages.js';
import { PeerConnection, type PeerConnectionDeps } from './peer-connection.js';

/**
 * Every peer's PeerConnection: created when a member appears, updated when it changes, stopped
 * when it leaves, and — when it failed and did not come back within failedCleanupMs — cleaned up.
 */
/** How often failed peers are checked against the cleanup timeout. */
export const CLEANUP_SWEEP_MS = 5_000;

/** The control server's requests peers make, for a party; the manager binds the party in. */
export interface PartyControl {
  grant(partyId: string, peer: string): Promise<RouteGrant>;
  signal(partyId: string, peer: string, signal: Signal): Promise<void>;
  /** Server clock (unix ms), for signals that name a moment. */
  serverNow(): number;
}

export interface ConnectionDeps extends Omit<PeerConnectionDeps, 'onGiveUp' | 'control'> {
  control: PartyControl;
}

/**
 * Signals can arrive before we know their sender: a member who joined sends us its relay choice
 * while our own join is still bringing the interface up. They are kept briefly and replayed.
 */
export const EARLY_SIGNAL_TTL_MS = 30_000;
export const EARLY_SIGNALS_PER_PEER = 8;
/** Senders kept at most: a party has ≤ 32 members; the bound only stops a flood from growing. */
export const EARLY_SIGNAL_SENDERS = 1024;

export class ConnectionManager {
  private readonly peers = new Map<string, PeerConnection>();
  private readonly early = new Map<string, { at: number; signal: Signal }[]>();
  /** The party these peers belong to: named in every line they log, and in their requests. */
  private partyId: string | null = null;
  /** Port probing's openers take turns: each holds the helper's whole bound of probe sockets. */
  private readonly openerQueue = new OpenerQueue();

  constructor(private readonly deps: ConnectionDeps) {
    deps.tasks.every('connections:cleanup', CLEANUP_SWEEP_MS, () => this.sweep());
    deps.probes.onPing((ping) => {
      if (ping.via.kind === 'relay') {
        this.peers.get(ping.peer)?.heardOnRelay(ping.via.routeId);
        return;
      }
      // An authenticated ping proves the address is the peer's: accept its WireGuard from there
      // too, so a path the peer already switched to never drops packets while we catch up.
      const { host, port, socket } = ping.via;
      deps.dataPlane.acceptDirectFrom(ping.peer, host, port, socket);
      this.peers.get(ping.peer)?.heardFrom({ host, port, ...(socket !== undefined && { socket }) });
    });
  }

  /** The party every peer from now on belongs to (set on entering one, before any `ensure`). */
  enterParty(partyId: string): void {
    this.partyId = partyId;
  }

  /** Connects to a member, or brings an existing connection up to date. */
  async ensure(member: Member): Promise<void> {
    if (member.publicKey === this.deps.self.publicKey) return;
    const existing = this.peers.get(member.publicKey);
    if (existing) {
      existing.update(member);
      return;
    }
    const partyId = this.partyId;
    if (partyId === null) throw new Error('cannot connect to a member outside a party');
    const { control } = this.deps;
    const peer = new PeerConnection(member, {
      ...this.deps,
      openerQueue: this.openerQueue,
      control: {
        grant: (to) => control.grant(partyId, to),
        signal: (to, signal) => control.signal(partyId, to, signal),
        serverNow: () => control.serverNow(),
      },
      log: this.deps.log.child({ party: partyId }),
      onGiveUp: (key) =>
        this.deps.log.warn('peer failed', { party: partyId, peerKey: key.slice(0, 8) }),
    });
    this.peers.set(member.publicKey, peer);
    try {
      await peer.start();
      const now = this.deps.clock.now();
      for (const e of this.early.get(member.publicKey) ?? []) {
        if (now - e.at < EARLY_SIGNAL_TTL_MS) peer.onSignal(e.signal);
      }
      this.early.delete(member.publicKey);
    } catch (error) {
      const ids = { party: partyId, peer: member.name, peerKey: member.publicKey.slice(0, 8) };
      this.deps.log.error('could not set up peer', { ...ids, error: (error as Error).message });
      this.peers.delete(member.publicKey);
      await peer.stop().catch((e: Error) =>
        // The setup error above is what the caller gets; this one only explains leftovers.
        this.deps.log.warn('cleaning up a peer that failed to start failed too', {
          ...ids,
          error: e.message,
        }),
      );
      throw error;
    }
    this.deps.onChange();
  }

  async drop(publicKey: string): Promise<void> {
    const peer = this.peers.get(publicKey);
    if (!peer) return;
    this.peers.delete(publicKey);
    await peer.stop();
    this.deps.onChange();
  }

  onSignal(from: string, signal: Signal): void {
    const peer = this.peers.get(from);
    if (peer) {
      peer.onSignal(signal);
      return;
    }
    const list = this.early.get(from) ?? [];
    list.push({ at: this.deps.clock.now(), signal });
    // Only the newest few matter (a later relay choice supersedes an earlier one).
    this.early.set(from, list.slice(-EARLY_SIGNALS_PER_PEER));
    if (this.early.size > EARLY_SIGNAL_SENDERS) {
      const oldest = this.early.keys().next();
      if (!oldest.done) this.early.delete(oldest.value);
    }
  }

  /** The user pinned or unpinned a relay: every relayed peer chooses again. */
  relayPreferenceChanged(): void {
    for (const peer of this.peers.values()) peer.relayPreferenceChanged();
  }

  /** Our own NAT verdict changed (detection finished after peers were set up). */
  selfChanged(): void {
    for (const peer of this.peers.values()) peer.selfChanged();
  }

  has(publicKey: string): boolean {
    return this.peers.has(publicKey);
  }

  keys(): string[] {
    return [...this.peers.keys()];
  }

  statuses(): PeerStatus[] {
    return [...this.peers.values()]
      .map((p) => p.status())
      .sort((a, b) => a.virtualIp.localeCompare(b.virtualIp, 'en', { numeric: true }));
  }

  async dropAll(): Promise<void> {
    await Promise.all(this.keys().map((k) => this.drop(k)));
  }

  private async sweep(): Promise<void> {
    const now = this.deps.clock.now();
    for (const [key, peer] of this.peers) {
      const since = peer.failedSince;
      if (since !== null && now - since >= this.deps.config.failedCleanupMs) {
        this.deps.log.warn('cleaning up failed peer', { peerKey: key.slice(0, 8) });
        await this.drop(key);
      }
    }
  }
}
