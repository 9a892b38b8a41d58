import { describe, expect, it } from 'vitest';
import type { Endpoint } from './endpoint.js';
import {
  classifyNat,
  type NatObservations,
  type Rfc5780Observations,
} from './nat-classification.js';

const ep = (host: string, port: number): Endpoint => ({ host, port });
const LOCAL = ep('192.168.1.20', 5000);
const PUBLIC = ep('203.0.113.7', 40000);

/** Tiny constructors, so each row says only what differs. */
function rfc(
  mapping: 'same' | 'per-address' | 'per-address-and-port' | 'alternate-silent',
  filtering: 'any' | 'address' | 'address-and-port' | 'invalid',
): Rfc5780Observations {
  const byMapping = {
    same: [PUBLIC, PUBLIC],
    'per-address': [ep('203.0.113.7', 40001), ep('203.0.113.7', 40001)],
    'per-address-and-port': [ep('203.0.113.7', 40001), ep('203.0.113.7', 40002)],
    'alternate-silent': [null, null],
  } as const;
  const byFiltering = {
    any: [true, true],
    address: [false, true],
    'address-and-port': [false, false],
    invalid: [null, null],
  } as const;
  const [mappedAlternateIp, mappedAlternateIpPort] = byMapping[mapping];
  const [answeredChangeIpPort, answeredChangePort] = byFiltering[filtering];
  return { mappedAlternateIp, mappedAlternateIpPort, answeredChangeIpPort, answeredChangePort };
}

function seen(overrides: Partial<NatObservations>): NatObservations {
  return {
    localEndpoints: [LOCAL],
    mappedPrimary: PUBLIC,
    rfc5780: null,
    mappedSecondServer: null,
    ...overrides,
  };
}

const cases: { name: string; observations: NatObservations; want: string; mapping?: string }[] = [
  {
    name: 'no NAT and no filtering is open',
    observations: seen({ localEndpoints: [PUBLIC], rfc5780: rfc('same', 'any') }),
    want: 'open',
  },
  {
    name: 'no NAT behind an address-and-port filtering firewall is a port-restricted cone',
    observations: seen({ localEndpoints: [PUBLIC], rfc5780: rfc('same', 'address-and-port') }),
    want: 'port_restricted_cone',
  },
  {
    name: 'EIM + endpoint-independent filtering is a full cone',
    observations: seen({ rfc5780: rfc('same', 'any') }),
    want: 'full_cone',
  },
  {
    name: 'EIM + address-dependent filtering is a restricted cone',
    observations: seen({ rfc5780: rfc('same', 'address') }),
    want: 'restricted_cone',
  },
  {
    name: 'EIM + address-and-port-dependent filtering is a port-restricted cone',
    observations: seen({ rfc5780: rfc('same', 'address-and-port') }),
    want: 'port_restricted_cone',
  },
  {
    name: 'address-dependent mapping is symmetric',
    observations: seen({ rfc5780: rfc('per-address', 'address-and-port') }),
    want: 'symmetric',
    mapping: 'address_dependent',
  },
  {
    name: 'address-and-port-dependent mapping is symmetric, whatever the filtering',
    observations: seen({ rfc5780: rfc('per-address-and-port', 'any') }),
    want: 'symmetric',
    mapping: 'address_and_port_dependent',
  },
  {
    name: 'EIM with filtering untestable assumes the strictest cone',
    observations: seen({ rfc5780: rfc('same', 'invalid') }),
    want: 'port_restricted_cone',
  },
  {
    name: 'a plain RFC 5389 server alone is unknown',
    observations: seen({ localEndpoints: [PUBLIC] }),
    want: 'unknown',
  },
  {
    name: 'a plain server plus a second server seeing the same mapping is an (assumed strictest) cone',
    observations: seen({ mappedSecondServer: PUBLIC }),
    want: 'port_restricted_cone',
    mapping: 'endpoint_independent',
  },
  {
    name: 'a plain server plus a second server seeing another mapping is symmetric',
    observations: seen({ mappedSecondServer: ep('203.0.113.7', 40009) }),
    want: 'symmetric',
  },
  {
    name: 'a silent alternate address without a second server is unknown',
    observations: seen({ rfc5780: rfc('alternate-silent', 'address') }),
    want: 'unknown',
  },
  {
    name: 'a silent alternate address falls back to comparing two servers',
    observations: seen({ rfc5780: rfc('alternate-silent', 'address'), mappedSecondServer: PUBLIC }),
    want: 'port_restricted_cone',
  },
  {
    name: 'no server answering is unknown',
    observations: seen({ mappedPrimary: null }),
    want: 'unknown',
  },
];

describe('classifyNat', () => {
  it.each(cases)('$name', ({ observations, want, mapping }) => {
    const verdict = classifyNat(observations);
    expect(verdict.natType).toBe(want);
    if (mapping) expect(verdict.mapping).toBe(mapping);
    expect(verdict.reason.length).toBeGreaterThan(10);
  });

  it('says why when it cannot tell', () => {
    expect(classifyNat(seen({})).reason).toMatch(/RFC 5780/);
    expect(classifyNat(seen({ mappedPrimary: null })).reason).toMatch(/no STUN server answered/);
  });
});
