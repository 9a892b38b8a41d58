import type { Logger } from '../../../src-common/logging/logger.js';
import { sleep, type Clock } from '../time/clock.js';
import type { MappingProtocol, MappingProtocolName } from './mapping-protocol.js';

/**
 * Keeps one UDP port of ours mapped on the router for as long as it runs: tries each protocol in
 * order (PCP, then NAT-PMP, then UPnP IGD) until one maps the port, renews it at half its
 * lifetime, maps again after a router restart, and deletes it on `stop`. A router that offers
 * nothing is asked again every UNAVAILABLE_RETRY_MS. Never on the join path: the core starts it
 * and goes on; `onChange` says when the mapping appears, moves or goes.
 *
 * State machine: idle → trying → mapped ⇄ (renewing) → unavailable → trying …; stop → idle.
 */

/** Asked of the router: two hours, RFC 6886 §3.3's recommendation. */
export const MAPPING_LIFETIME_S = 7_200;
/** Renewal comes at half the granted lifetime (RFC 6886 §3.3, RFC 6887 §11.2.1)… */
export const RENEW_FRACTION = 0.5;
/** …but never sooner than this: a router granting a few seconds must not make us hammer it. */
export const RENEW_MIN_MS = 2_000;
/**
 * A router that offered no mapping is asked again this often: routers rarely change their mind,
 * and each round costs up to a few hundred ms of waiting per protocol.
 */
export const UNAVAILABLE_RETRY_MS = 600_000;

export type PortMapperState = 'idle' | 'trying' | 'mapped' | 'unavailable';

/**
 * Address blocks a router's "external" address can be in when yet another NAT lies beyond it
 * (RFC 1918 private, RFC 6598 carrier-grade NAT, link-local, loopback, "this network"): a
 * mapping there opens nothing the internet can reach, so it is not announced.
 */
const BEHIND_ANOTHER_NAT: readonly [number, number][] = [
  [0x0a000000, 8], // 10.0.0.0/8
  [0xac100000, 12], // 172.16.0.0/12
  [0xc0a80000, 16], // 192.168.0.0/16
  [0x64400000, 10], // 100.64.0.0/10
  [0xa9fe0000, 16], // 169.254.0.0/16
  [0x7f000000, 8], // 127.0.0.0/8
  [0x00000000, 8], // 0.0.0.0/8
];

/** Why a mapping on `ip` is useless to peers, or null when it is a public address. */
export function externalAddressProblem(ip: string): string | null {
  const n = ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const inside = BEHIND_ANOTHER_NAT.some(
    ([net, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(net / 2 ** (32 - bits)),
  );
  return inside
    ? `the router's external address ${ip} is not public (another NAT lies beyond it)`
    : null;
}

export interface PortMapping {
  protocol: MappingProtocolName;
  externalIp: string;
  externalPort: number;
  /** Unix ms when the router forgets it unless renewed. */
  expiresAt: number;
}

/** What was tried, for "Why relayed?": each protocol and how it went, in order. */
export interface MappingAttempt {
  protocol: MappingProtocolName;
  error: string | null;
}

export interface PortMapperOptions {
  protocols: MappingProtocol[];
  clock: Clock;
  log: Logger;
  onChange: (mapping: PortMapping | null) => void;
}

export class PortMapper {
  private stateValue: PortMapperState = 'idle';
  private mapping: PortMapping | null = null;
  private attempts: MappingAttempt[] = [];
  private run: { abort: AbortController; done: Promise<void>; port: number } | null = null;

  constructor(private readonly o: PortMapperOptions) {}

  get state(): PortMapperState {
    return this.stateValue;
  }

  get current(): PortMapping | null {
    return this.mapping;
  }

  /** The latest round's attempts, in order (empty before the first). */
  get tried(): readonly MappingAttempt[] {
    return this.attempts;
  }

  /** Starts keeping `internalPort` mapped (no-op when already running for it). */
  start(internalPort: number): void {
    if (this.run?.port === internalPort) return;
    if (this.o.protocols.length === 0) return;
    const abort = new AbortController();
    const done = this.loop(internalPort, abort.signal).catch((error: Error) => {
      this.o.log.error('port mapping stopped unexpectedly', { error: error.message });
    });
    this.run = { abort, done, port: internalPort };
  }

  /** Stops renewing and deletes the mapping on the router (leave, quit). */
  async stop(): Promise<void> {
    const run = this.run;
    if (!run) return;
    this.run = null;
    run.abort.abort();
    await run.done;
    const mapping = this.mapping;
    this.set('idle', null);
    if (!mapping) return;
    const protocol = this.o.protocols.find((p) => p.name === mapping.protocol);
    try {
      await protocol?.unmap(run.port);
      this.o.log.info('port mapping deleted', { protocol: mapping.protocol, port: run.port });
    } catch (error) {
      // It expires by itself at its lifetime's end; nothing else to do.
      this.o.log.warn('could not delete the port mapping', {
        protocol: mapping.protocol,
        error: (error as Error).message,
      });
    }
  }

  private async loop(port: number, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const renewing = this.mapping;
      const mapping = renewing
        ? await this.renew(port, renewing, signal)
        : await this.mapFirst(port, signal);
      if (signal.aborted) return;
      if (!mapping) {
        await sleep(this.o.clock, UNAVAILABLE_RETRY_MS, signal);
        continue;
      }
      const lifetimeMs = mapping.expiresAt - this.o.clock.now();
      await sleep(this.o.clock, Math.max(RENEW_MIN_MS, lifetimeMs * RENEW_FRACTION), signal);
    }
  }

  /** Tries each protocol in order; the first that maps wins. */
  private async mapFirst(port: number, signal: AbortSignal): Promise<PortMapping | null> {
    this.set('trying', null);
    const attempts: MappingAttempt[] = [];
    for (const protocol of this.o.protocols) {
      if (signal.aborted) return null;
      const started = this.o.clock.now();
      try {
        const mapped = await protocol.map(port, MAPPING_LIFETIME_S);
        if (signal.aborted) {
          // Stopped while the answer was on its way: the mapping must not outlive us.
          await protocol.unmap(port).catch(() => {});
          return null;
        }
        const problem = externalAddressProblem(mapped.externalIp);
        if (problem) {
          await protocol.unmap(port).catch(() => {});
          throw new Error(problem);
        }
        attempts.push({ protocol: protocol.name, error: null });
        this.attempts = attempts;
        const mapping = this.toMapping(protocol.name, mapped);
        this.o.log.info('port mapped on the router', {
          protocol: protocol.name,
          internalPort: port,
          external: `${mapping.externalIp}:${mapping.externalPort}`,
          lifetimeS: mapped.lifetimeS,
          afterMs: this.o.clock.now() - started,
        });
        this.set('mapped', mapping);
        return mapping;
      } catch (error) {
        const message = (error as Error).message;
        attempts.push({ protocol: protocol.name, error: message });
        this.o.log.info('port mapping not offered', {
          protocol: protocol.name,
          error: message,
          afterMs: this.o.clock.now() - started,
        });
      }
    }
    this.attempts = attempts;
    this.set('unavailable', null);
    return null;
  }

  /** Maps again with the protocol that worked; on failure, starts over with every protocol. */
  private async renew(
    port: number,
    current: PortMapping,
    signal: AbortSignal,
  ): Promise<PortMapping | null> {
    const protocol = this.o.protocols.find((p) => p.name === current.protocol)!;
    try {
      const mapped = await protocol.map(port, MAPPING_LIFETIME_S);
      if (signal.aborted) return null;
      const mapping = this.toMapping(protocol.name, mapped);
      const moved =
        mapping.externalIp !== current.externalIp || mapping.externalPort !== current.externalPort;
      if (mapped.routerRestarted || moved) {
        this.o.log.warn('router restarted or moved our mapping; mapped again', {
          protocol: protocol.name,
          external: `${mapping.externalIp}:${mapping.externalPort}`,
        });
      } else {
        this.o.log.debug('port mapping renewed', {
          protocol: protocol.name,
          lifetimeS: mapped.lifetimeS,
        });
      }
      this.mapping = mapping;
      if (moved) this.o.onChange(mapping);
      return mapping;
    } catch (error) {
      this.o.log.warn('port mapping renewal failed; trying every protocol again', {
        protocol: protocol.name,
        error: (error as Error).message,
      });
      this.set('trying', null);
      return this.mapFirst(port, signal);
    }
  }

  private toMapping(
    protocol: MappingProtocolName,
    mapped: { externalIp: string; externalPort: number; lifetimeS: number },
  ): PortMapping {
    return {
      protocol,
      externalIp: mapped.externalIp,
      externalPort: mapped.externalPort,
      expiresAt: this.o.clock.now() + mapped.lifetimeS * 1000,
    };
  }

  private set(state: PortMapperState, mapping: PortMapping | null): void {
    const changed =
      (this.mapping === null) !== (mapping === null) ||
      this.mapping?.externalIp !== mapping?.externalIp ||
      this.mapping?.externalPort !== mapping?.externalPort;
    this.stateValue = state;
    this.mapping = mapping;
    if (changed) this.o.onChange(mapping);
  }
}
