import type { Endpoint } from './endpoint.js';
import type { NatType } from './nat-type.js';

/**
 * From what the STUN tests saw to the seed's NAT types. Pure, so every case is a table row.
 *
 * RFC 5780 terms (RFC 4787 behaviours) → seed names:
 *
 *   mapping \ filtering            endpoint-indep.   address-dep.      address+port-dep.
 *   endpoint-independent (EIM)     full_cone (*)     restricted_cone   port_restricted_cone
 *   address(-and-port)-dependent   symmetric         symmetric         symmetric
 *
 *   (*) open when the mapped address is one of our own (no NAT) and filtering lets anyone in.
 */

export type MappingBehaviour =
  'endpoint_independent' | 'address_dependent' | 'address_and_port_dependent' | 'unknown';

export type FilteringBehaviour =
  'endpoint_independent' | 'address_dependent' | 'address_and_port_dependent' | 'unknown';

export interface Rfc5780Observations {
  /** Mapping test II: mapped address seen at (alternate IP, primary port); null = no answer. */
  mappedAlternateIp: Endpoint | null;
  /** Mapping test III: mapped address seen at (alternate IP, alternate port); null = no answer. */
  mappedAlternateIpPort: Endpoint | null;
  /** Filtering test II: did an answer from the alternate IP and port reach us? null = test invalid. */
  answeredChangeIpPort: boolean | null;
  /** Filtering test III: did an answer from the primary IP, alternate port reach us? */
  answeredChangePort: boolean | null;
}

export interface NatObservations {
  /** Addresses of the socket that did the tests, as this host knows them. */
  localEndpoints: Endpoint[];
  /** Mapping test I at the primary server; null when no server answered. */
  mappedPrimary: Endpoint | null;
  /** null when the primary server gave no OTHER-ADDRESS (plain RFC 5389). */
  rfc5780: Rfc5780Observations | null;
  /** Mapping seen by a second, different STUN server (the fallback); null if none answered. */
  mappedSecondServer: Endpoint | null;
}

export interface NatClassification {
  natType: NatType;
  mapping: MappingBehaviour;
  filtering: FilteringBehaviour;
  /** One sentence a user or a log reader can act on. */
  reason: string;
}

export function sameEndpoint(a: Endpoint | null, b: Endpoint | null): boolean {
  return a !== null && b !== null && a.host === b.host && a.port === b.port;
}

export function mappingFromRfc5780(primary: Endpoint, o: Rfc5780Observations): MappingBehaviour {
  if (o.mappedAlternateIp === null) return 'unknown';
  if (sameEndpoint(primary, o.mappedAlternateIp)) return 'endpoint_independent';
  if (o.mappedAlternateIpPort === null) return 'unknown';
  return sameEndpoint(o.mappedAlternateIp, o.mappedAlternateIpPort)
    ? 'address_dependent'
    : 'address_and_port_dependent';
}

export function filteringFromRfc5780(o: Rfc5780Observations): FilteringBehaviour {
  if (o.answeredChangeIpPort === true) return 'endpoint_independent';
  if (o.answeredChangeIpPort === null || o.answeredChangePort === null) return 'unknown';
  return o.answeredChangePort ? 'address_dependent' : 'address_and_port_dependent';
}

const CONE_BY_FILTERING: Record<Exclude<FilteringBehaviour, 'unknown'>, NatType> = {
  endpoint_independent: 'full_cone',
  address_dependent: 'restricted_cone',
  address_and_port_dependent: 'port_restricted_cone',
};

export function classifyNat(o: NatObservations): NatClassification {
  const primary = o.mappedPrimary;
  if (primary === null) {
    return {
      natType: 'unknown',
      mapping: 'unknown',
      filtering: 'unknown',
      reason: 'no STUN server answered; peers will be reached through a relay first',
    };
  }
  const unNatted = o.localEndpoints.some((local) => sameEndpoint(local, primary));
  const mapping = o.rfc5780 ? mappingFromRfc5780(primary, o.rfc5780) : 'unknown';
  const filtering = o.rfc5780 ? filteringFromRfc5780(o.rfc5780) : 'unknown';

  if (mapping === 'address_dependent' || mapping === 'address_and_port_dependent') {
    return {
      natType: 'symmetric',
      mapping,
      filtering,
      reason: `the NAT maps each destination to a new public address (${mapping.replace(/_/g, ' ')} mapping)`,
    };
  }
  if (mapping === 'endpoint_independent') {
    if (filtering === 'endpoint_independent' && unNatted) {
      return { natType: 'open', mapping, filtering, reason: 'no NAT and no inbound filtering' };
    }
    if (filtering !== 'unknown') {
      return {
        natType: CONE_BY_FILTERING[filtering],
        mapping,
        filtering,
        reason: `${unNatted ? 'no NAT, but a firewall with ' : 'endpoint-independent mapping, '}${filtering.replace(/_/g, ' ')} filtering`,
      };
    }
    return {
      natType: 'port_restricted_cone',
      mapping,
      filtering,
      reason:
        'endpoint-independent mapping; filtering could not be tested, so assuming the strictest ' +
        'cone (hole punching from both sides still works through it)',
    };
  }

  // Mapping unknown: the server is plain RFC 5389, or its alternate address never answered.
  const why =
    o.rfc5780 === null
      ? 'the STUN server does not support RFC 5780 (no OTHER-ADDRESS)'
      : "the STUN server's alternate address did not answer";
  if (o.mappedSecondServer !== null) {
    if (sameEndpoint(primary, o.mappedSecondServer)) {
      return {
        natType: 'port_restricted_cone',
        mapping: 'endpoint_independent',
        filtering,
        reason:
          `${why}; two STUN servers saw the same public address, so mapping is endpoint-independent; ` +
          'filtering untested, assuming the strictest cone',
      };
    }
    return {
      natType: 'symmetric',
      mapping: 'address_and_port_dependent',
      filtering,
      reason: `${why}; two STUN servers saw different public addresses, so the NAT is symmetric`,
    };
  }
  return {
    natType: 'unknown',
    mapping,
    filtering,
    reason: `${why}, and no second STUN server answered to compare mappings; relay first`,
  };
}
