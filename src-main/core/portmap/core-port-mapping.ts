import type { Logger } from '../../../src-common/logging/logger.js';
import type { AnnouncedMapping } from '../../../src-shared/domain/port-mapping.js';
import type { Clock } from '../time/clock.js';
import type { MappingProtocol } from './mapping-protocol.js';
import { PortMapper, type MappingAttempt, type PortMapping } from './port-mapper.js';

/**
 * The core's port mapping: the public UDP port (the WireGuard helper's) kept mapped on the router
 * while the core runs in a party, as the mapped endpoint the party is told. Protocols are found
 * lazily (the default gateway is read once, in the background), so start-up never waits on it.
 */
export interface CorePortMappingOptions {
  enabled: boolean;
  clock: Clock;
  log: Logger;
  /** The protocols to try, in order (router-protocols.ts; tests hand in their own). */
  protocols: () => Promise<MappingProtocol[]>;
  onChange: (mapping: AnnouncedMapping | null) => void;
}

export class CorePortMapping {
  private mapper: PortMapper | null = null;
  private building: Promise<PortMapper | null> | null = null;
  private wanted: number | null = null;

  constructor(private readonly o: CorePortMappingOptions) {}

  /** The mapping as the party is told it; null while there is none. */
  get announced(): AnnouncedMapping | null {
    return toAnnounced(this.mapper?.current ?? null);
  }

  get tried(): readonly MappingAttempt[] {
    return this.mapper?.tried ?? [];
  }

  /** Keeps `port` mapped from now on (no-op when turned off in the config). */
  start(port: number): void {
    if (!this.o.enabled) return;
    this.wanted = port;
    void this.ensureMapper().then((mapper) => {
      if (mapper && this.wanted === port) mapper.start(port);
    });
  }

  /** Deletes the mapping on the router (leave, quit); `start` maps again. */
  async stop(): Promise<void> {
    this.wanted = null;
    const mapper = await this.ensureMapper(false);
    await mapper?.stop();
  }

  private ensureMapper(create = true): Promise<PortMapper | null> {
    if (this.building || !create) return this.building ?? Promise.resolve(null);
    this.building = this.o.protocols().then(
      (protocols) => {
        this.mapper = new PortMapper({
          protocols,
          clock: this.o.clock,
          log: this.o.log,
          onChange: (m) => this.o.onChange(toAnnounced(m)),
        });
        return this.mapper;
      },
      (error: Error) => {
        this.o.log.warn('port mapping unavailable', { error: error.message });
        return null;
      },
    );
    return this.building;
  }
}

function toAnnounced(m: PortMapping | null): AnnouncedMapping | null {
  return m ? { endpoint: `${m.externalIp}:${m.externalPort}`, protocol: m.protocol } : null;
}
