import { describe, expect, it } from 'vitest';
import type { CoreStatus, PeerStatus } from '../../src-shared/domain/core-status.js';
import { formatStatus } from './status-format.js';

const peer = (over: Partial<PeerStatus>): PeerStatus => ({
  id: 'key',
  name: 'ben',
  virtualIp: '10.66.0.2',
  strategy: 'direct',
  path: 'direct',
  endpoint: '198.18.0.101:40000',
  relay: null,
  natType: 'port_restricted_cone',
  latencyMs: 1.5,
  latencyHistory: [],
  state: 'connected',
  connectedSince: 0,
  online: true,
  reason: '',
  coordination: {
    selfNat: 'port_restricted_cone',
    peerNat: 'port_restricted_cone',
    lan: { outcome: 'not-tried', reason: 'different-networks' },
    holePunch: { outcome: 'succeeded', reason: 'ok' },
    punch: null,
    relay: { outcome: 'succeeded', reason: 'ok' },
    openedBy: 'hole-punch',
  },
  ...over,
});

const status = (peers: PeerStatus[]): CoreStatus => ({
  state: 'in-party',
  control: 'connected',
  party: { id: 'p', name: 'Friday', inviteCode: 'K7M2Q-9XTRA' },
  self: {
    id: 'me',
    name: 'ana',
    virtualIp: '10.66.0.1',
    natType: 'port_restricted_cone',
    publicEndpoint: '198.18.0.100:40000',
    localCandidates: [],
  },
  peers,
});

describe('formatStatus', () => {
  it('says under each peer how its path was opened, or what was tried while relayed', () => {
    const text = formatStatus(
      status([
        peer({ reason: 'direct after hole punching (attempt 2, leading)' }),
        peer({
          name: 'cy',
          strategy: 'relay',
          path: 'relay',
          relay: { id: 'near', endpoint: '198.19.1.2:7401' },
          reason:
            'direct attempt 1 failed (hole punching, leading), using the relay; next try in 33 s',
        }),
      ]),
    ).split('\n');
    expect(text[2]).toMatch(/^peer .* ben .* direct /);
    expect(text[3]).toBe('       direct after hole punching (attempt 2, leading)');
    expect(text[4]).toMatch(/^peer .* cy .* relay near /);
    expect(text[5]).toBe(
      '       direct attempt 1 failed (hole punching, leading), using the relay; next try in 33 s',
    );
  });
});
