import type { MappingProtocolName } from '../../../src-shared/domain/port-mapping.js';

/**
 * What every port-mapping client (NAT-PMP, PCP, UPnP IGD) offers the PortMapper: map one UDP port
 * of ours on the router, renew it by mapping again, delete it.
 */

export type { MappingProtocolName };

export interface MappedPort {
  externalIp: string;
  externalPort: number;
  /** What the router granted, seconds (it may grant less than asked). */
  lifetimeS: number;
  /** The router lost its mappings since the last answer (NAT-PMP/PCP epoch went back). */
  routerRestarted: boolean;
}

export interface MappingProtocol {
  readonly name: MappingProtocolName;
  /** Maps (or renews) `internalPort` (UDP) for `lifetimeS`; rejects with a clear error. */
  map(internalPort: number, lifetimeS: number): Promise<MappedPort>;
  /** Deletes the mapping of `internalPort` made by `map`. */
  unmap(internalPort: number): Promise<void>;
}

/**
 * RFC 6886 §3.6 / RFC 6887 §8.5: a router whose epoch is behind what the time since its last
 * answer predicts (with 1/8 slack for clock drift and 2 s for rounding) has restarted and lost
 * its mappings.
 */
export function epochWentBack(
  last: { epoch: number; atMs: number } | null,
  epoch: number,
  nowMs: number,
): boolean {
  if (!last) return false;
  const elapsedS = Math.max(0, (nowMs - last.atMs) / 1000);
  return epoch < last.epoch + (elapsedS * 7) / 8 - 2;
}
