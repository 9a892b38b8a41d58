import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { parseEndpoint } from '../../../src-shared/domain/endpoint.js';
import { localCandidates, MAX_LOCAL_CANDIDATES } from './local-candidates.js';

/**
 * Global IPv6 addresses as candidates. Two players with global IPv6 need no NAT traversal at all,
 * only each firewall's outbound-opened state, so these are offered to every peer (not only to
 * peers behind the same public IP, as the IPv4 LAN candidates are), with the public port: the
 * mux opens its IPv6 socket on the same port number.
 *
 * Not global, so left out: loopback (::1), link-local (fe80::/10: needs a zone, reaches only the
 * link), unique-local (fc00::/7: a LAN's own addresses), IPv4-mapped (::ffff:0:0/96) and
 * anything on our own interfaces (lanrage*, lab lr*).
 */
export const MAX_IPV6_CANDIDATES = 4;

export function isGlobalIpv6(address: string): boolean {
  if (!address.includes(':')) return false;
  const lower = address.toLowerCase();
  if (lower === '::' || lower === '::1' || lower.startsWith('::ffff:')) return false;
  const first = Number.parseInt(lower.split(':')[0] || '0', 16);
  // 2000::/3 is the global unicast space (and where 2001:db8::/32, the lab's prefix, lives).
  return first >= 0x2000 && first <= 0x3fff;
}

export function ipv6Candidates(
  port: number,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>,
): string[] {
  const out: string[] = [];
  for (const [name, addresses] of Object.entries(interfaces)) {
    if (name.startsWith('lanrage') || name.startsWith('lr')) continue;
    for (const a of addresses ?? []) {
      if (a.family !== 'IPv6' || a.internal || !isGlobalIpv6(a.address)) continue;
      out.push(`[${a.address}]:${port}`);
    }
  }
  return out.slice(0, MAX_IPV6_CANDIDATES);
}

/**
 * Every candidate we offer besides the public endpoint: global IPv6 first (when the public port
 * is open on IPv6), then the IPv4 LAN addresses, within the control protocol's limit.
 */
export function ownCandidates(
  port: number,
  ipv6: boolean,
  interfaces = networkInterfaces(),
): string[] {
  const v6 = ipv6 ? ipv6Candidates(port, interfaces) : [];
  return [...v6, ...localCandidates(port, interfaces).slice(0, MAX_LOCAL_CANDIDATES - v6.length)];
}

/** Whether a candidate list holds a global IPv6 address (the peer can be tried over IPv6). */
export function hasGlobalIpv6(candidates: readonly string[]): boolean {
  return candidates.some((c) => {
    const ep = parseEndpoint(c);
    return ep.ok && isGlobalIpv6(ep.value.host);
  });
}
