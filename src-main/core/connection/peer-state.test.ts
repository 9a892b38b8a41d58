import { describe, expect, it } from 'vitest';
import type { PeerState } from '../../../src-shared/domain/core-status.js';
import { nextPeerState } from './peer-state.js';

describe('nextPeerState', () => {
  const t = 200;
  it.each<[PeerState, boolean, number | null, boolean, PeerState]>([
    ['connecting', true, 12, false, 'connected'],
    ['connecting', true, null, false, 'connected'],
    ['connected', true, 250, false, 'degraded'],
    ['degraded', true, 150, false, 'connected'],
    ['connected', false, null, false, 'connecting'],
    ['connecting', false, null, true, 'failed'],
    ['failed', false, null, false, 'failed'],
    ['failed', true, 30, false, 'connected'],
  ])('%s with path alive=%s, RTT %s, given up=%s → %s', (from, pathAlive, rttMs, givenUp, want) => {
    expect(nextPeerState(from, { pathAlive, rttMs, degradedThresholdMs: t, givenUp })).toBe(want);
  });
});
