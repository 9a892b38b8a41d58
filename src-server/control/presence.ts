import type { PartyService } from './party-service.js';

/**
 * Who is alive. A member is online while it keeps talking (clients heartbeat every 15 s); after
 * `offlineAfterMs` of silence, or at once when its socket closes, it is shown offline but keeps
 * its place and IP; after `removeAfterMs` offline it is removed; a party with nobody in it is
 * deleted after `emptyPartyTtlMs`. One sweep on a timer does all of it, against the injected clock.
 */

export const PRESENCE_DEFAULTS = {
  /** Three missed 15 s heartbeats: one lost packet or a slow reconnect must not flap the UI. */
  offlineAfterMs: 45_000,
  /** Long enough to ride out a laptop lid or a router reboot with the same seat and IP. */
  removeAfterMs: 5 * 60_000,
  /** Lets a group that all dropped out (game restart, power cut) come back with the same code. */
  emptyPartyTtlMs: 10 * 60_000,
  /** Timers fire at most this late; 1 s is coarse enough to cost nothing with 100k members. */
  sweepIntervalMs: 1_000,
} as const;

export interface PresenceOptions {
  service: PartyService;
  now: () => number;
  offlineAfterMs: number;
  removeAfterMs: number;
  emptyPartyTtlMs: number;
  /** Called for a member that went silent, so the server can drop its (likely dead) socket. */
  onSilent: (publicKey: string) => void;
}

export interface SweepResult {
  offline: number;
  removed: number;
  expired: number;
}

export class Presence {
  /** Last time each online key was heard from (ms, injected clock). */
  private readonly lastHeard = new Map<string, number>();

  constructor(private readonly options: PresenceOptions) {}

  heard(publicKey: string): void {
    this.lastHeard.set(publicKey, this.options.now());
  }

  /** The connection is gone: show the member offline now rather than after the silence timeout. */
  gone(publicKey: string): void {
    this.lastHeard.delete(publicKey);
    this.options.service.markOffline(publicKey);
  }

  sweep(): SweepResult {
    const now = this.options.now();
    let offline = 0;
    for (const [key, at] of this.lastHeard) {
      if (now - at < this.options.offlineAfterMs) continue;
      this.lastHeard.delete(key);
      this.options.service.markOffline(key);
      this.options.onSilent(key);
      offline++;
    }
    const { removed, expired } = this.options.service.expire(
      now - this.options.removeAfterMs,
      now - this.options.emptyPartyTtlMs,
    );
    return { offline, removed, expired };
  }

  get tracked(): number {
    return this.lastHeard.size;
  }
}
