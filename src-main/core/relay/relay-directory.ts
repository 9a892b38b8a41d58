import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { chooseRelay, type RelayChoice } from '../../../src-shared/domain/relay-choice.js';
import { parseEndpoint } from '../../../src-shared/domain/endpoint.js';
import type { RelayStatus } from '../../../src-shared/domain/core-status.js';
import type { RelayInfo } from '../../../src-shared/protocol/control-messages.js';
import { ICMP_ECHOES, icmpLatency, type LatencyProbe } from './icmp-latency.js';
import type { RelayEndpoint } from './relay-binder.js';
import { systemClock, type Clock } from '../time/clock.js';

/**
 * The relays this client may use and how far each is. Candidates come in the seed's order —
 * the control server's healthy relays, then relays from the config, then the default relay when
 * nothing else is known — and are all measured in parallel. A relay pinned by the user is kept
 * until they clear it.
 */
/**
 * A relay that did not answer a BIND (or whose route died) is passed over by every peer for this
 * long: a dead relay process still answers ICMP from its host, so the latency rounds cannot tell,
 * and each new peer would otherwise lose a bind timeout finding out again.
 */
export const RELAY_FAILURE_COOLDOWN_MS = 60_000;
/**
 * Echoes per relay in the first round (measureFirst): one echo answers in one round trip, where
 * the regular three, 200 ms apart, take over 0.4 s — which the first relayed path of a join used
 * to wait. Between a near and a far relay one echo tells the difference; the regular round that
 * follows in the background refines the figures for every later choice.
 */
export const FIRST_ROUND_ECHOES = 1;

export interface RelayCandidate {
  id: string;
  endpoint: string;
  region: string;
  source: RelayStatus['source'];
  /** Reported by the control server (routes / capacity); undefined for configured relays. */
  load?: number;
}

export interface RelayDirectoryOptions {
  configured: { id: string; endpoint: string }[];
  defaultRelay: string;
  pinned: string | null;
  measure?: LatencyProbe;
  resolve?: (host: string) => Promise<string | null>;
  clock?: Clock;
}

async function resolveHost(host: string): Promise<string | null> {
  if (isIP(host)) return host;
  try {
    return (await lookup(host, { family: 4 })).address;
  } catch {
    return null;
  }
}

export class RelayDirectory {
  private fromControl: RelayCandidate[] = [];
  private readonly latency = new Map<string, number | null>();
  private readonly resolved = new Map<string, string>();
  private pinnedId: string | null;
  private measuredAt: number | null = null;
  private readonly unresponsiveUntil = new Map<string, number>();
  private inFlight: Promise<void> | null = null;
  /** The regular round measureFirst starts after its quick one (callers needing fresh figures wait). */
  private refining: Promise<void> | null = null;
  private readonly measure: LatencyProbe;
  private readonly resolve: (host: string) => Promise<string | null>;
  private readonly clock: Clock;

  constructor(private readonly options: RelayDirectoryOptions) {
    this.clock = options.clock ?? systemClock;
    this.pinnedId = options.pinned;
    this.measure = options.measure ?? icmpLatency;
    this.resolve = options.resolve ?? resolveHost;
  }

  get pinned(): string | null {
    return this.pinnedId;
  }

  pin(id: string | null): void {
    this.pinnedId = id;
  }

  setControlRelays(relays: readonly RelayInfo[]): void {
    const healthy = relays.filter((r) => r.healthy);
    // A control server that just restarted knows no relays until they heartbeat again (≤ 10 s).
    // An empty list is no news that the relays we knew are gone: keep them (a dead one fails its
    // BIND and is passed over) rather than fall back to the default relay.
    if (healthy.length === 0 && this.fromControl.length > 0) return;
    // A new list may hold relays never measured: the next round must not be skipped as fresh.
    this.measuredAt = null;
    this.fromControl = healthy.map((r) => ({
      id: r.id,
      endpoint: r.endpoint,
      region: r.region,
      source: 'control' as const,
      load: r.load,
    }));
  }

  candidates(): RelayCandidate[] {
    const list: RelayCandidate[] = [...this.fromControl];
    for (const c of this.options.configured) {
      if (!list.some((r) => r.id === c.id)) list.push({ ...c, region: '', source: 'config' });
    }
    if (list.length === 0) {
      list.push({
        id: 'default',
        endpoint: this.options.defaultRelay,
        region: '',
        source: 'default',
      });
    }
    return list;
  }

  /**
   * Measures every candidate at once; resolves when all have answered or timed out. Measurements
   * younger than `maxAgeMs` are reused, and callers asking while a round is under way share it —
   * joining a party of ten starts one round of pings, not ten.
   */
  measureAll(maxAgeMs = 0): Promise<void> {
    if (this.inFlight) return this.inFlight;
    // Fresh figures asked for while measureFirst's regular round runs: that round is the answer.
    if (this.refining && maxAgeMs === 0) return this.refining;
    if (this.measuredAt !== null && this.clock.now() - this.measuredAt <= maxAgeMs)
      return Promise.resolve();
    if (this.refining) return this.refining;
    this.inFlight = this.measureRound(ICMP_ECHOES).finally(() => {
      this.measuredAt = this.clock.now();
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /**
   * The core's first round, at start: one echo per relay (FIRST_ROUND_ECHOES), so a join's first
   * relay choice waits one round trip rather than the regular round's 0.4 s; the regular round
   * then runs in the background and its figures replace these. Choices that may reuse recent
   * figures (measureAll with a max age) take the quick ones; a caller asking for fresh figures
   * meanwhile waits for the regular round.
   */
  measureFirst(): Promise<void> {
    if (this.inFlight || this.measuredAt !== null || this.refining) return this.measureAll();
    const quick = this.measureRound(FIRST_ROUND_ECHOES).finally(() => {
      this.measuredAt = this.clock.now();
      this.inFlight = null;
      this.refining = this.measureRound(ICMP_ECHOES)
        .catch(() => {})
        .finally(() => {
          this.measuredAt = this.clock.now();
          this.refining = null;
        });
    });
    this.inFlight = quick;
    return quick;
  }

  private async measureRound(echoes: number): Promise<void> {
    await Promise.all(
      this.candidates().map(async (c) => {
        const endpoint = await this.endpointOf(c);
        this.latency.set(c.id, endpoint ? await this.measure(endpoint.host, echoes) : null);
      }),
    );
  }

  latencyOf(id: string): number | null {
    return this.latency.get(id) ?? null;
  }

  /**
   * The relay to use, skipping `exclude` and relays that recently failed to answer — unless
   * nothing else is left, when a relay that may have come back beats none.
   */
  choose(exclude: ReadonlySet<string> = new Set()): RelayChoice | null {
    const now = this.clock.now();
    const all = this.candidates().map((c) => ({
      id: c.id,
      latencyMs: this.latency.get(c.id) ?? null,
      ...(c.load !== undefined && { load: c.load }),
    }));
    const fallback = all.filter((c) => !exclude.has(c.id));
    const usable = fallback.filter((c) => (this.unresponsiveUntil.get(c.id) ?? 0) <= now);
    return chooseRelay(
      usable.length > 0 ? usable : fallback.length > 0 ? fallback : all,
      this.pinnedId,
    );
  }

  /** A BIND went unanswered or a route through the relay died: others should not try it now. */
  markUnresponsive(id: string): void {
    this.unresponsiveUntil.set(id, this.clock.now() + RELAY_FAILURE_COOLDOWN_MS);
  }

  markResponsive(id: string): void {
    this.unresponsiveUntil.delete(id);
  }

  /** The relay's address, resolved to an IP (BIND_ACKs are matched by source address). */
  async endpointOf(candidate: RelayCandidate | string): Promise<RelayEndpoint | null> {
    const c =
      typeof candidate === 'string' ? this.candidates().find((r) => r.id === candidate) : candidate;
    if (!c) return null;
    const parsed = parseEndpoint(c.endpoint, { allowHostname: true });
    if (!parsed.ok) return null;
    let ip = this.resolved.get(parsed.value.host) ?? null;
    if (!ip) {
      ip = await this.resolve(parsed.value.host);
      if (ip) this.resolved.set(parsed.value.host, ip);
    }
    return ip ? { id: c.id, host: ip, port: parsed.value.port } : null;
  }

  statuses(inUse: ReadonlySet<string>): RelayStatus[] {
    return this.candidates().map((c) => ({
      id: c.id,
      endpoint: c.endpoint,
      region: c.region,
      latencyMs: this.latency.get(c.id) ?? null,
      inUse: inUse.has(c.id),
      pinned: c.id === this.pinnedId,
      source: c.source,
    }));
  }
}
