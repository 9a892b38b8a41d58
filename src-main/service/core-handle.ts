import type { CoreStatus, PartyStatus, RelayStatus } from '../../src-shared/domain/core-status.js';

/**
 * What the service needs of a running core: LanrageCore's public API, which stays stable while
 * the core's internals change. A structural type so the service's tests can stand in at this seam.
 */
export interface CoreHandle {
  status(): CoreStatus;
  /** The status with each peer's game-discovery counters (asks the helper); for `party:status`. */
  statusWithCounters?(): Promise<CoreStatus>;
  createParty(name: string): Promise<void>;
  joinParty(inviteCode: string): Promise<void>;
  leaveParty(): Promise<void>;
  relayStatuses(measure?: boolean): Promise<RelayStatus[]>;
  pinRelay(id: string | null): void;
  /** Re-applies the config's `discovery` setting at once (the helper follows while in a party). */
  discoverySettingChanged(): Promise<void>;
}

export type { PartyStatus };
