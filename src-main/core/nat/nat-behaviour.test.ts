import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../../src-shared/domain/endpoint.js';
import type { NatType } from '../../../src-shared/domain/nat-type.js';
// The server's real answer logic (pure), so this in-memory lab speaks exactly what it will meet.
import { answerBinding, type SocketRole } from '../../../src-server/stun/binding-answer.js';
import { filteringTiming } from './nat-behaviour.js';
import { detectNat } from './nat-detector.js';
import { StunClient } from './stun-client.js';

/**
 * An in-memory NAT lab (after Tailscale's natlab): one client behind a NAT of a chosen RFC 4787
 * kind, STUN servers on the "internet" answering with binding-answer.ts. The real netns lab
 * proves the same with nftables; this one runs in milliseconds.
 */
type NatKind = 'none' | 'full_cone' | 'restricted_cone' | 'port_restricted_cone' | 'symmetric';

const INSIDE: Endpoint = { host: '192.168.1.20', port: 5000 };
const NAT_IP = '203.0.113.7';

class FakeNat {
  private readonly ports = new Map<string, number>();
  private readonly sentTo = new Set<string>();
  private nextPort = 40000;
  constructor(private readonly kind: NatKind) {}

  /** Source the packet leaves with after translation. */
  outbound(to: Endpoint): Endpoint {
    this.sentTo.add(to.host);
    this.sentTo.add(`${to.host}:${to.port}`);
    if (this.kind === 'none') return INSIDE;
    const key = this.kind === 'symmetric' ? `${to.host}:${to.port}` : 'any';
    let port = this.ports.get(key);
    if (port === undefined) this.ports.set(key, (port = this.nextPort++));
    return { host: NAT_IP, port };
  }

  /** Whether a packet from `from` gets back in. */
  inbound(from: Endpoint): boolean {
    switch (this.kind) {
      case 'none':
      case 'full_cone':
        return true;
      case 'restricted_cone':
        return this.sentTo.has(from.host);
      default:
        return this.sentTo.has(`${from.host}:${from.port}`);
    }
  }
}

interface FakeServer {
  addresses: Partial<Record<SocketRole, Endpoint>>;
  rfc5780: boolean;
}

function fakeServer(ip1: string, ip2: string | null): FakeServer {
  return ip2 === null
    ? { addresses: { pp: { host: ip1, port: 3478 } }, rfc5780: false }
    : {
        addresses: {
          pp: { host: ip1, port: 3478 },
          pa: { host: ip1, port: 3479 },
          ap: { host: ip2, port: 3478 },
          aa: { host: ip2, port: 3479 },
        },
        rfc5780: true,
      };
}

function lab(kind: NatKind, servers: FakeServer[], sentTo: string[] = []) {
  const nat = new FakeNat(kind);
  const client: StunClient = new StunClient({
    // Short timers: filtered answers cost a timeout each, and nothing here has real latency.
    initialRtoMs: 5,
    maxTransmissions: 2,
    finalWaitMs: 30,
    send: (data, port, host) => {
      sentTo.push(`${host}:${port}`);
      for (const server of servers) {
        const role = (Object.keys(server.addresses) as SocketRole[]).find(
          (r) => server.addresses[r]!.host === host && server.addresses[r]!.port === port,
        );
        if (role === undefined) continue;
        const answer = answerBinding(data, {
          receivedOn: role,
          from: nat.outbound({ host, port }),
          addresses: server.addresses,
          rfc5780: server.rfc5780,
          originKnown: true,
        });
        if (answer.kind === 'drop') return;
        const source = server.addresses[answer.via]!;
        if (!nat.inbound(source)) return;
        setImmediate(() =>
          client.handle(answer.bytes, { address: source.host, port: source.port }),
        );
      }
    },
  });
  return client;
}

const rfcServer = fakeServer('198.51.100.1', '198.51.100.2');
const plainA = fakeServer('198.51.100.10', null);
const plainB = fakeServer('198.51.100.20', null);

describe('NAT detection behind in-memory NATs', () => {
  it.each<[NatKind, NatType, string]>([
    ['none', 'open', 'endpoint_independent'],
    ['full_cone', 'full_cone', 'endpoint_independent'],
    ['restricted_cone', 'restricted_cone', 'address_dependent'],
    ['port_restricted_cone', 'port_restricted_cone', 'address_and_port_dependent'],
    ['symmetric', 'symmetric', 'address_and_port_dependent'],
  ])('a %s NAT is detected as %s with an RFC 5780 server', async (kind, want, filtering) => {
    const client = lab(kind, [rfcServer]);
    const result = await detectNat({
      servers: [rfcServer.addresses.pp!],
      client,
      localEndpoints: [INSIDE],
    });
    expect(result.natType).toBe(want);
    expect(result.filtering).toBe(filtering);
    expect(result.publicEndpoint?.host).toBe(kind === 'none' ? INSIDE.host : NAT_IP);
  });

  it('tells symmetric from cone with two plain servers, and says it assumed the filtering', async () => {
    const servers = [plainA.addresses.pp!, plainB.addresses.pp!];
    const symmetric = await detectNat({
      servers,
      client: lab('symmetric', [plainA, plainB]),
      localEndpoints: [INSIDE],
    });
    expect(symmetric.natType).toBe('symmetric');
    const cone = await detectNat({
      servers,
      client: lab('full_cone', [plainA, plainB]),
      localEndpoints: [INSIDE],
    });
    expect(cone.natType).toBe('port_restricted_cone');
    expect(cone.reason).toMatch(/filtering untested/);
  });

  it('does not mistake an address-dependent filter for none by probing the alternate IP too early', async () => {
    // If the mapping tests (which send to the alternate IP) ran before the filtering tests, a
    // restricted cone would let the change-IP answer in and look like a full cone.
    const client = lab('restricted_cone', [rfcServer]);
    const result = await detectNat({
      servers: [rfcServer.addresses.pp!],
      client,
      localEndpoints: [INSIDE],
    });
    expect(result.natType).toBe('restricted_cone');
  });
});

describe('the mapping tests', () => {
  it.each<[NatKind, boolean]>([
    ['none', false],
    ['full_cone', false],
    ['port_restricted_cone', false],
    ['symmetric', true],
  ])(
    'behind %s, send to the alternate address and port (test III): %s',
    async (kind, wantTestIII) => {
      // Test III only when test II saw a new mapping: on a router that answers WAN input, the
      // filtering test's answer from there left an entry our request would collide with.
      const sentTo: string[] = [];
      await detectNat({
        servers: [rfcServer.addresses.pp!],
        client: lab(kind, [rfcServer], sentTo),
        localEndpoints: [INSIDE],
      });
      expect(sentTo.includes('198.51.100.2:3479')).toBe(wantTestIII);
      expect(sentTo.includes('198.51.100.2:3478')).toBe(true);
    },
  );
});

describe('filteringTiming', () => {
  it.each([
    [0.2, { initialRtoMs: 50, maxTransmissions: 3, finalWaitMs: 200 }],
    [30, { initialRtoMs: 90, maxTransmissions: 3, finalWaitMs: 200 }],
    [100, { initialRtoMs: 200, maxTransmissions: 3, finalWaitMs: 500 }],
    [900, { initialRtoMs: 200, maxTransmissions: 3, finalWaitMs: 500 }],
  ])('waits in proportion to the server RTT (%s ms)', (rtt, want) => {
    expect(filteringTiming(rtt)).toEqual(want);
  });
});
