import { describe, expect, it } from 'vitest';
import { explainRelay } from './why-relayed.js';

describe('explainRelay ("Why relayed?")', () => {
  it('names both NAT types and what would help when the peer is symmetric', () => {
    expect(
      explainRelay({ peerName: 'ben', selfNat: 'port_restricted_cone', peerNat: 'symmetric' }),
    ).toEqual({
      summary: 'You are behind a port-restricted NAT; ben is behind a symmetric NAT.',
      tried:
        'Ben is behind a symmetric NAT, which picks a new port for every destination; the port-restricted NAT you are behind only lets in packets from the exact address it already sent to. So hole punching alone cannot open a direct path from a port-restricted NAT; only port probing (guessing which of many ports the symmetric NAT opened) or a port mapping can.',
      fix: 'For ben, a router with UPnP, NAT-PMP or PCP turned on (LANrage then maps its port there), a router whose NAT keeps one public port per device (most home routers do), or a different network (for example a phone hotspot), would help.',
    });
  });

  it('puts the symmetric side on the player when it is theirs', () => {
    expect(
      explainRelay({ peerName: 'cara', selfNat: 'symmetric', peerNat: 'restricted_cone' }),
    ).toEqual({
      summary: 'You are behind a symmetric NAT; cara is behind a restricted-cone NAT.',
      tried:
        'You are behind a symmetric NAT, which picks a new port for every destination; the restricted-cone NAT cara is behind only lets in packets from the exact address it already sent to. So hole punching alone cannot open a direct path from a restricted-cone NAT; only port probing (guessing which of many ports the symmetric NAT opened) or a port mapping can.',
      fix: 'For you, a router with UPnP, NAT-PMP or PCP turned on (LANrage then maps its port there), a router whose NAT keeps one public port per device (most home routers do), or a different network (for example a phone hotspot), would help.',
    });
  });

  it('explains two symmetric NATs', () => {
    const why = explainRelay({ peerName: 'dan', selfNat: 'symmetric', peerNat: 'symmetric' });
    expect(why.summary).toBe('You are behind a symmetric NAT; dan is behind a symmetric NAT.');
    expect(why.tried).toBe(
      'A symmetric NAT picks a new port for every destination, so neither of you can know where to send the first packet: no direct path can be opened between two of them.',
    );
  });

  it('says which network could not be tested', () => {
    const why = explainRelay({ peerName: 'eve', selfNat: 'full_cone', peerNat: 'unknown' });
    expect(why.summary).toBe(
      'You are behind a full-cone NAT; eve is behind a network LANrage could not identify.',
    );
    expect(why.tried).toBe(
      "LANrage could not test eve's network (the test server got no answer), so it did not risk a direct path and chose a relay.",
    );
  });

  it('says hole punching was tried when the NAT types allow a direct path', () => {
    const why = explainRelay({
      peerName: 'fay',
      selfNat: 'port_restricted_cone',
      peerNat: 'full_cone',
    });
    expect(why.tried).toMatch(
      /^These two network types can normally be joined directly, and LANrage tried hole punching/,
    );
    expect(why.fix).toBe(
      'A firewall that blocks UDP on either side is the usual cause; allowing LANrage through it would help.',
    );
  });

  it('follows what the core tried: a hole punch that got no answer', () => {
    const why = explainRelay({
      peerName: 'gus',
      selfNat: 'unknown',
      peerNat: 'unknown',
      coordination: {
        selfNat: 'port_restricted_cone',
        peerNat: 'port_restricted_cone',
        lan: { outcome: 'not-tried', reason: 'different-networks' },
        holePunch: { outcome: 'failed', reason: 'no-answer' },
        punch: {
          attempt: 2,
          role: 'follower',
          openerTtl: 3,
          family: 'ipv4',
          nextTryAt: 1_700_000_060_000,
        },
        portProbe: null,
        relay: { outcome: 'succeeded', reason: 'ok' },
        openedBy: 'relay',
      },
    });
    expect(why.summary).toBe(
      'You are behind a port-restricted NAT; gus is behind a port-restricted NAT.',
    );
    expect(why.tried).toBe(
      'LANrage tried hole punching at the moment the LANrage server named, but no direct packet got through, so your traffic goes through a relay. LANrage keeps trying.',
    );
  });

  it('explains a direct path that died', () => {
    const why = explainRelay({
      peerName: 'hal',
      selfNat: 'full_cone',
      peerNat: 'full_cone',
      coordination: {
        selfNat: 'full_cone',
        peerNat: 'full_cone',
        lan: { outcome: 'not-tried', reason: 'different-networks' },
        holePunch: { outcome: 'failed', reason: 'path-died' },
        punch: { attempt: 1, role: 'leader', openerTtl: 2, family: 'ipv4', nextTryAt: null },
        portProbe: null,
        relay: { outcome: 'succeeded', reason: 'ok' },
        openedBy: 'relay',
      },
    });
    expect(why.tried).toBe(
      'A direct path worked, then stopped answering, so LANrage moved your traffic to a relay within seconds. It keeps trying the direct path.',
    );
  });

  it('says what port mapping was tried on both sides', () => {
    const why = explainRelay({
      peerName: 'gus',
      selfNat: 'port_restricted_cone',
      peerNat: 'symmetric',
      coordination: {
        selfNat: 'port_restricted_cone',
        peerNat: 'symmetric',
        lan: { outcome: 'not-tried', reason: 'different-networks' },
        holePunch: { outcome: 'not-tried', reason: 'nat-incompatible' },
        punch: null,
        portProbe: null,
        relay: { outcome: 'succeeded', reason: 'ok' },
        portMapping: {
          self: {
            protocol: null,
            tried: [
              { protocol: 'pcp', error: 'no answer within 300 ms' },
              { protocol: 'nat-pmp', error: 'no answer within 300 ms' },
            ],
          },
          peer: null,
          used: null,
        },
        openedBy: 'relay',
      },
    });
    expect(why.tried).toBe(
      "Gus is behind a symmetric NAT, which picks a new port for every destination; the port-restricted NAT you are behind only lets in packets from the exact address it already sent to. So hole punching alone cannot open a direct path from a port-restricted NAT; only port probing (guessing which of many ports the symmetric NAT opened) or a port mapping can. LANrage asked your router for a port mapping (PCP, NAT-PMP); it offered none. Gus's router mapped none.",
    );
  });

  it('says how port probing went when it was tried', () => {
    const why = explainRelay({
      peerName: 'ivy',
      selfNat: 'symmetric',
      peerNat: 'port_restricted_cone',
      coordination: {
        selfNat: 'symmetric',
        peerNat: 'port_restricted_cone',
        lan: { outcome: 'not-tried', reason: 'different-networks' },
        holePunch: { outcome: 'not-tried', reason: 'nat-incompatible' },
        punch: null,
        portProbe: {
          attempt: 1,
          role: 'opener',
          outcome: 'failed',
          sockets: 256,
          packets: 1537,
          timeToDirectMs: null,
          nextTryAt: 1_700_000_033_000,
        },
        relay: { outcome: 'succeeded', reason: 'ok' },
        openedBy: 'relay',
      },
    });
    expect(why.tried).toBe(
      'You are behind a symmetric NAT, which picks a new port for every destination; the port-restricted NAT ivy is behind only lets in packets from the exact address it already sent to. So hole punching alone cannot open a direct path from a port-restricted NAT; only port probing (guessing which of many ports the symmetric NAT opened) or a port mapping can. LANrage tried port probing (1537 packets); none got through, and it will try again.',
    );
  });

  it('says port probing was not tried when the peer announced an address the server does not see', () => {
    const why = explainRelay({
      peerName: 'mal',
      selfNat: 'port_restricted_cone',
      peerNat: 'symmetric',
      coordination: {
        selfNat: 'port_restricted_cone',
        peerNat: 'symmetric',
        lan: { outcome: 'not-tried', reason: 'different-networks' },
        holePunch: { outcome: 'not-tried', reason: 'endpoint-unconfirmed' },
        punch: null,
        portProbe: null,
        relay: { outcome: 'succeeded', reason: 'ok' },
        openedBy: 'relay',
      },
    });
    expect(why).toEqual({
      summary: 'You are behind a port-restricted NAT; mal is behind a symmetric NAT.',
      tried:
        'LANrage did not try port probing: the public address mal announced is not the address the LANrage server sees mal connecting from. LANrage sends probes only to an address the server has confirmed, so that no member can aim them at someone else.',
      fix: "If mal's connection to the LANrage server leaves by another way than its games (a VPN, a second internet line, or the server reached over IPv6), sending both the same way would let LANrage try.",
    });
  });

  it('says when a mapping existed but no packet got through it', () => {
    const why = explainRelay({
      peerName: 'hal',
      selfNat: 'symmetric',
      peerNat: 'symmetric',
      coordination: {
        selfNat: 'symmetric',
        peerNat: 'symmetric',
        lan: { outcome: 'not-tried', reason: 'different-networks' },
        holePunch: { outcome: 'failed', reason: 'no-answer' },
        punch: null,
        portProbe: null,
        relay: { outcome: 'succeeded', reason: 'ok' },
        portMapping: {
          self: { protocol: 'pcp', tried: [{ protocol: 'pcp', error: null }] },
          peer: null,
          used: null,
        },
        openedBy: 'relay',
      },
    });
    expect(why.tried).toMatch(
      / Your router mapped a port for LANrage \(PCP\), but no direct packet got through it yet\. Hal's router mapped none\.$/,
    );
  });
});
