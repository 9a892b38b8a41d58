import type { PeerDiscoveryStatus } from '../../../src-shared/domain/core-status.js';
import type { DiscoveryStats } from './discovery-helper-schemas.js';

/**
 * One peer's game-discovery counters for `lanrage status`, from the helper's stats: null when the
 * helper reported no discovery (it is off, or the peer is not configured there yet).
 */
export function peerDiscoveryStatus(
  stats: DiscoveryStats | undefined,
  peerKey: string,
): PeerDiscoveryStatus | null {
  const p = stats?.peers.find((x) => x.peer === peerKey);
  if (!p) return null;
  return {
    forwarded: p.forwarded,
    received: p.received,
    droppedByLimit: p.limitedOut + p.limitedIn,
  };
}
