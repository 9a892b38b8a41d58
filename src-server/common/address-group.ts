import { isIP } from 'node:net';

/**
 * The unit every per-address limit counts by. One IPv4 address is one subscriber (or one CGNAT,
 * which is why limits are sized for a household, not a person). One IPv6 subscriber gets a whole
 * /64 (usually more), so counting single IPv6 addresses would hand one user 2^64 separate limits:
 * an IPv6 address counts by its /64. IPv4-mapped IPv6 (::ffff:a.b.c.d, what a dual-stack socket
 * reports for IPv4 clients) counts as the IPv4 address it is.
 */
export function addressGroup(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIP(address) !== 6) return address;
  return `${expandIpv6(address).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 literal, as lower-case hex without leading zeros. */
function expandIpv6(address: string): string[] {
  const zone = address.indexOf('%');
  const bare = zone >= 0 ? address.slice(0, zone) : address;
  const [head, tail] = bare.includes('::') ? bare.split('::') : [bare, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // An embedded IPv4 tail (::1.2.3.4) is two groups; only the first four groups matter here.
  const missing = 8 - left.length - right.length;
  const groups =
    tail === undefined ? left : [...left, ...Array<string>(missing).fill('0'), ...right];
  return groups.map((g) => (/^[0-9a-f]+$/i.test(g) ? parseInt(g, 16).toString(16) : g));
}
