import type { PeerState } from '../../../src-shared/domain/core-status.js';

/**
 * The per-peer state machine, in one place:
 *
 *   connecting ──path proven──► connected ◄──RTT back under threshold──┐
 *        │                         │  └──RTT over threshold──► degraded ┘
 *        │                         └──every path dead, reconnects used up──► failed
 *        └────────────no path after the reconnect attempts───────────────► failed
 *   failed ──a path proven again──► connected        failed ──cleanup timeout──► (removed)
 */
export function nextPeerState(
  current: PeerState,
  input: {
    pathAlive: boolean;
    rttMs: number | null;
    degradedThresholdMs: number;
    givenUp: boolean;
  },
): PeerState {
  if (!input.pathAlive) {
    if (input.givenUp) return 'failed';
    // A peer that lost its path is reconnecting; one given up on stays failed until a path returns.
    return current === 'failed' ? 'failed' : 'connecting';
  }
  if (input.rttMs !== null && input.rttMs > input.degradedThresholdMs) return 'degraded';
  return 'connected';
}
