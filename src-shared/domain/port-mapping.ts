/**
 * Port mapping as both ends of a pair see it (issue 10): a member whose router mapped its UDP port
 * (NAT-PMP, PCP or UPnP IGD) can be reached at the mapped endpoint from any address, whatever its
 * NAT. Pure: which side sends to whose mapping is a function of both members' announcements.
 */
export type MappingProtocolName = 'pcp' | 'nat-pmp' | 'upnp';

/** How each protocol is named to a player ("direct via UPnP mapping"). */
export const MAPPING_WORDS: Readonly<Record<MappingProtocolName, string>> = {
  pcp: 'PCP',
  'nat-pmp': 'NAT-PMP',
  upnp: 'UPnP',
};

export interface AnnouncedMapping {
  endpoint: string;
  protocol: MappingProtocolName;
}

/**
 * How a pair uses a mapping: `send` — this side pings the peer's mapped endpoint; `answer` — this
 * side's router holds the mapping, and this side sends nothing first: it answers the peer's pings
 * from wherever they came (a first packet of ours towards the peer would make our router's NAT
 * bind the port for that destination itself, and the peer's packets into the mapping would then
 * collide with that binding and be dropped). When both have one, the side whose key sorts first
 * sends to the other's. Null: neither has a mapping.
 */
export type MappingRoute =
  | { role: 'send'; endpoint: string; protocol: MappingProtocolName }
  | { role: 'answer'; protocol: MappingProtocolName };

export function mappingRoute(
  self: { publicKey: string; mapping: AnnouncedMapping | null },
  peer: { publicKey: string; mapping: AnnouncedMapping | null },
): MappingRoute | null {
  if (peer.mapping && (!self.mapping || self.publicKey < peer.publicKey)) {
    return { role: 'send', endpoint: peer.mapping.endpoint, protocol: peer.mapping.protocol };
  }
  if (self.mapping) return { role: 'answer', protocol: self.mapping.protocol };
  return null;
}

/**
 * "via PCP mapping" when a router's port mapping opened the peer's direct path, else null: what
 * `lanrage status` and the desktop window add to "direct".
 */
export function mappingPathWords(coordination: {
  openedBy: string | null;
  portMapping?: { used: { protocol: MappingProtocolName } | null };
}): string | null {
  const used = coordination.portMapping?.used;
  if (coordination.openedBy !== 'port-mapping' || !used) return null;
  return `via ${MAPPING_WORDS[used.protocol]} mapping`;
}
