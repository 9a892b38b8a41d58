import type { RelayInfo, RelayRegistration } from '../../src-shared/protocol/control-messages.js';
import { ControlError } from './control-error.js';

/**
 * Relays known to this control server, in memory: relays heartbeat every few seconds, so after a
 * restart the list is whole again before clients need it. A relay is healthy while its last
 * heartbeat is recent; clients are only offered healthy ones.
 */

export const RELAY_DEFAULTS = {
  /** Relays heartbeat every 10 s; two missed beats plus slack and it is not offered any more. */
  healthyForMs: 30_000,
  /** A registration's sentAt may differ this much from our clock; older bodies are replays. */
  maxClockSkewMs: 60_000,
  /** Unhealthy this long and the relay is forgotten (a decommissioned machine). */
  forgetAfterMs: 10 * 60_000,
  /** Registrations are signed by relays we trust, but a bug must not grow the map forever. */
  maxRelays: 1_000,
} as const;

interface Entry {
  registration: RelayRegistration;
  lastSeen: number;
}

export interface RelayRegistryOptions {
  now: () => number;
  healthyForMs?: number;
  maxClockSkewMs?: number;
  forgetAfterMs?: number;
  maxRelays?: number;
}

export class RelayRegistry {
  private readonly relays = new Map<string, Entry>();
  private readonly healthyForMs: number;
  private readonly maxClockSkewMs: number;
  private readonly forgetAfterMs: number;
  private readonly maxRelays: number;

  constructor(private readonly options: RelayRegistryOptions) {
    this.healthyForMs = options.healthyForMs ?? RELAY_DEFAULTS.healthyForMs;
    this.maxClockSkewMs = options.maxClockSkewMs ?? RELAY_DEFAULTS.maxClockSkewMs;
    this.forgetAfterMs = options.forgetAfterMs ?? RELAY_DEFAULTS.forgetAfterMs;
    this.maxRelays = options.maxRelays ?? RELAY_DEFAULTS.maxRelays;
  }

  /**
   * Records a (signature-checked) heartbeat. Returns true when what clients see changed: a new
   * relay, one back to health, or a new address or region.
   */
  heartbeat(registration: RelayRegistration): boolean {
    const now = this.options.now();
    const skew = registration.sentAt - now;
    if (Math.abs(skew) > this.maxClockSkewMs) {
      throw new ControlError(
        'bad_message',
        `sentAt is ${Math.round(skew / 1000)} s off the server clock (limit ${this.maxClockSkewMs / 1000} s)`,
      );
    }
    const previous = this.relays.get(registration.id);
    if (previous && registration.sentAt < previous.registration.sentAt) {
      throw new ControlError('bad_message', 'sentAt is older than the last heartbeat (replayed)');
    }
    if (!previous && this.relays.size >= this.maxRelays) {
      throw new ControlError('rate_limited', `registry is full (${this.maxRelays} relays)`);
    }
    this.relays.set(registration.id, { registration, lastSeen: now });
    if (!previous) return true;
    const wasHealthy = now - previous.lastSeen < this.healthyForMs;
    return (
      !wasHealthy ||
      previous.registration.endpoint !== registration.endpoint ||
      previous.registration.region !== registration.region
    );
  }

  /** Healthy relays, least loaded first. */
  healthy(): RelayInfo[] {
    const now = this.options.now();
    const out: RelayInfo[] = [];
    for (const { registration, lastSeen } of this.relays.values()) {
      if (now - lastSeen >= this.healthyForMs) continue;
      out.push({
        id: registration.id,
        region: registration.region,
        endpoint: registration.endpoint,
        load: registration.load,
        healthy: true,
        lastSeen,
      });
    }
    return out.sort((a, b) => a.load - b.load || a.id.localeCompare(b.id));
  }

  /** The ids of healthy relays, to notice when the set clients see changes. */
  healthyIds(): string {
    return this.healthy()
      .map((r) => r.id)
      .sort()
      .join(',');
  }

  /** Forgets relays silent for long; returns how many. */
  sweep(): number {
    const now = this.options.now();
    let forgotten = 0;
    for (const [id, entry] of this.relays) {
      if (now - entry.lastSeen >= this.forgetAfterMs) {
        this.relays.delete(id);
        forgotten++;
      }
    }
    return forgotten;
  }

  get size(): number {
    return this.relays.size;
  }
}
