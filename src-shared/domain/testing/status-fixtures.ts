import type { CoreStatus, PeerStatus } from '../core-status.js';

/** Tests: tiny constructors for status values; each test spells out only what it is about. */
export function peer(name: string, over: Partial<PeerStatus> = {}): PeerStatus {
  return {
    id: `${name}-key`,
    name,
    virtualIp: '10.66.0.2',
    strategy: 'direct',
    path: 'direct',
    endpoint: '198.18.0.101:40000',
    relay: null,
    natType: 'port_restricted_cone',
    latencyMs: 23,
    latencyHistory: [23],
    state: 'connected',
    connectedSince: 1_700_000_000_000,
    online: true,
    reason: 'port_restricted_cone ↔ port_restricted_cone: direct (hole punch)',
    coordination: {
      selfNat: 'port_restricted_cone',
      peerNat: over.natType ?? 'port_restricted_cone',
      lan: { outcome: 'not-tried', reason: 'different-networks' },
      holePunch: { outcome: 'succeeded', reason: 'ok' },
      punch: { attempt: 1, role: 'leader', openerTtl: 2, family: 'ipv4', nextTryAt: null },
      portProbe: null,
      relay: { outcome: 'succeeded', reason: 'ok' },
      openedBy: 'hole-punch',
    },
    ...over,
  };
}

export function relayed(
  name: string,
  relayId: string,
  latencyMs: number,
  over: Partial<PeerStatus> = {},
): PeerStatus {
  return peer(name, {
    strategy: 'relay',
    path: 'relay',
    relay: { id: relayId, endpoint: '198.19.1.2:7401' },
    endpoint: '198.19.1.2:7401',
    natType: 'symmetric',
    latencyMs,
    reason: 'port_restricted_cone ↔ symmetric: relay',
    coordination: {
      selfNat: 'port_restricted_cone',
      peerNat: 'symmetric',
      lan: { outcome: 'not-tried', reason: 'different-networks' },
      holePunch: { outcome: 'not-tried', reason: 'nat-incompatible' },
      punch: null,
      portProbe: null,
      relay: { outcome: 'succeeded', reason: 'ok' },
      openedBy: 'relay',
    },
    ...over,
  });
}

/** A peer behind a symmetric NAT that port probing took direct (issue 10 item 3). */
export function probed(name: string, over: Partial<PeerStatus> = {}): PeerStatus {
  return peer(name, {
    natType: 'symmetric',
    reason:
      'port_restricted_cone ↔ symmetric: direct after port probing (attempt 1, 353 packets, 0.32 s)',
    coordination: {
      selfNat: 'port_restricted_cone',
      peerNat: 'symmetric',
      lan: { outcome: 'not-tried', reason: 'different-networks' },
      holePunch: { outcome: 'succeeded', reason: 'ok' },
      punch: null,
      portProbe: {
        attempt: 1,
        role: 'prober',
        outcome: 'succeeded',
        sockets: 0,
        packets: 96,
        timeToDirectMs: 320,
        nextTryAt: null,
      },
      relay: { outcome: 'succeeded', reason: 'ok' },
      openedBy: 'port-probe',
    },
    ...over,
  });
}

export function inParty(peers: PeerStatus[], over: Partial<CoreStatus> = {}): CoreStatus {
  return {
    state: 'in-party',
    control: 'connected',
    party: { id: 'party-1', name: 'Friday LAN', inviteCode: 'K7M2Q-9XTRA' },
    self: {
      id: 'self-key',
      name: 'ana',
      virtualIp: '10.66.0.1',
      natType: 'port_restricted_cone',
      publicEndpoint: '198.18.0.100:40000',
      localCandidates: ['192.168.1.2:40000'],
    },
    peers,
    ...over,
  };
}

export function idle(over: Partial<CoreStatus> = {}): CoreStatus {
  return inParty([], { state: 'idle', party: null, ...over });
}
