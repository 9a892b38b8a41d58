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
  natType: 'full_cone',
  latencyMs: 12.34,
  latencyHistory: [12.34],
  state: 'connected',
  connectedSince: 1,
  online: true,
  reason: 'full_cone ↔ open: direct',
  coordination: {
    selfNat: 'open',
    peerNat: 'full_cone',
    lan: { outcome: 'not-tried', reason: 'different-networks' },
    holePunch: { outcome: 'succeeded', reason: 'ok' },
    punch: null,
    portProbe: null,
    relay: { outcome: 'succeeded', reason: 'ok' },
    openedBy: 'hole-punch',
  },
  ...over,
});

const status = (peers: PeerStatus[]): CoreStatus => ({
  state: 'in-party',
  control: 'connected',
  party: { id: 'p', name: 'Friday LAN', inviteCode: 'K7M2Q-9XTRA' },
  self: {
    id: 'me',
    name: 'ana',
    virtualIp: '10.66.0.1',
    natType: 'open',
    publicEndpoint: '198.18.16.2:51820',
    localCandidates: [],
  },
  peers,
});

describe('formatStatus', () => {
  it("shows each peer's LAN-game discovery packets, and what its rate limit dropped", () => {
    const text = formatStatus(
      status([
        peer({ discovery: { forwarded: 3, received: 1, droppedByLimit: 0 } }),
        peer({
          name: 'cat',
          virtualIp: '10.66.0.3',
          discovery: { forwarded: 40, received: 0, droppedByLimit: 2960 },
        }),
        peer({ name: 'dan', virtualIp: '10.66.0.4', discovery: null }),
      ]),
    );
    expect(text.split('\n').slice(2)).toEqual([
      'peer   10.66.0.2    ben              connected  direct           12.3 ms  nat full_cone  lan games 3 out, 1 in',
      'peer   10.66.0.3    cat              connected  direct           12.3 ms  nat full_cone  lan games 40 out, 0 in, 2960 over limit',
      'peer   10.66.0.4    dan              connected  direct           12.3 ms  nat full_cone',
    ]);
  });

  it('says which router mapping opened a direct path', () => {
    const mapped = peer({
      coordination: {
        ...peer({}).coordination,
        openedBy: 'port-mapping',
        portMapping: {
          self: {
            protocol: 'nat-pmp',
            tried: [
              { protocol: 'pcp', error: 'no answer within 300 ms' },
              { protocol: 'nat-pmp', error: null },
            ],
          },
          peer: null,
          used: { whose: 'self', protocol: 'nat-pmp' },
        },
      },
    });
    expect(formatStatus(status([mapped])).split('\n')[2]).toBe(
      'peer   10.66.0.2    ben              connected  direct via NAT-PMP mapping   12.3 ms  nat full_cone',
    );
  });

  it('says plainly when a direct path runs over IPv6', () => {
    const text = formatStatus(
      status([
        peer({ endpoint: '[2001:db8:2::2]:51820', natType: 'symmetric' }),
        peer({ name: 'cat', virtualIp: '10.66.0.3' }),
      ]),
    );
    expect(text.split('\n').slice(2)).toEqual([
      'peer   10.66.0.2    ben              connected  direct IPv6      12.3 ms  nat symmetric',
      'peer   10.66.0.3    cat              connected  direct           12.3 ms  nat full_cone',
    ]);
  });

  it('says when port probing opened the direct path', () => {
    const probed = peer({
      natType: 'symmetric',
      coordination: { ...peer({}).coordination, openedBy: 'port-probe' },
    });
    expect(formatStatus(status([probed])).split('\n')[2]).toBe(
      'peer   10.66.0.2    ben              connected  direct after port probing   12.3 ms  nat symmetric',
    );
  });
});
