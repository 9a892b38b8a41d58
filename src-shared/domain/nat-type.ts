/** NAT behaviour as the seed named it; RFC 5780 tests map onto these (see NatTraversal). */
export const NAT_TYPES = [
  'open',
  'full_cone',
  'restricted_cone',
  'port_restricted_cone',
  'symmetric',
  'unknown',
] as const;

export type NatType = (typeof NAT_TYPES)[number];
