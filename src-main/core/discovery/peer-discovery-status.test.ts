import { describe, expect, it } from 'vitest';
import { DiscoveryStatsSchema } from './discovery-helper-schemas.js';
import { peerDiscoveryStatus } from './peer-discovery-status.js';

const KEY_B = 'YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY=';
const KEY_C = 'MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3BxcnN0dXY=';

// The stats.discovery example of helper/PROTOCOL.md, with two peers.
const STATS = DiscoveryStatsSchema.parse({
  enabled: true,
  forwarded: 3,
  sourceRewritten: 2,
  droppedForeignSource: 0,
  droppedOversize: 0,
  droppedMalformed: 0,
  droppedDisabled: 0,
  droppedUnknownPeer: 0,
  injectDropped: 0,
  peers: [
    {
      peer: KEY_B,
      forwarded: 3,
      forwardedBytes: 255,
      received: 1,
      receivedBytes: 53,
      limitedOut: 0,
      limitedIn: 0,
    },
    {
      peer: KEY_C,
      forwarded: 40,
      forwardedBytes: 3400,
      received: 0,
      receivedBytes: 0,
      limitedOut: 60,
      limitedIn: 2,
    },
  ],
});

describe('peerDiscoveryStatus', () => {
  it('reports what we forwarded to a peer and what we received from it', () => {
    expect(peerDiscoveryStatus(STATS, KEY_B)).toEqual({
      forwarded: 3,
      received: 1,
      droppedByLimit: 0,
    });
  });

  it('adds both token buckets into droppedByLimit', () => {
    expect(peerDiscoveryStatus(STATS, KEY_C)).toEqual({
      forwarded: 40,
      received: 0,
      droppedByLimit: 62,
    });
  });

  it('is null for a peer the helper does not know, or without discovery stats', () => {
    expect(peerDiscoveryStatus(STATS, 'someone-else')).toBeNull();
    expect(peerDiscoveryStatus(undefined, KEY_B)).toBeNull();
  });

  it('refuses stats with a negative counter', () => {
    expect(DiscoveryStatsSchema.safeParse({ ...STATS, forwarded: -1 }).success).toBe(false);
  });
});
