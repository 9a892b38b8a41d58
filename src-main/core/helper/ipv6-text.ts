import { isIPv4, isIPv6 } from 'node:net';

/**
 * IPv6 text ⇄ its 16 bytes, for the helper's address frames (helper-frames.ts). Text out is the
 * RFC 5952 form — lower case, no leading zeros, the longest run of two or more zero groups (the
 * first of equal runs) as `::` — which is also how Node (libuv's inet_ntop) prints addresses in
 * `os.networkInterfaces()` and `dgram` sources, so a datagram's source compares equal, as a
 * string, to the candidate the peer offered.
 */
const GROUPS = 8;
export const IPV6_BYTES = 16;

/** The 16 bytes of an IPv6 literal (zone-free); throws a RangeError for anything else. */
export function ipv6ToBytes(text: string): Buffer {
  if (!isIPv6(text) || text.includes('%')) throw new RangeError(`"${text}" is not an IPv6 address`);
  // A dotted IPv4 tail (e.g. 64:ff9b::192.0.2.1) is the last two groups: rewrite it as hex.
  const cut = text.lastIndexOf(':') + 1;
  const last = text.slice(cut);
  const o = isIPv4(last) ? last.split('.').map(Number) : null;
  const hexText = o
    ? `${text.slice(0, cut)}${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`
    : text;
  const parse = (s: string | undefined) =>
    s ? s.split(':').map((g) => Number.parseInt(g, 16)) : [];
  const [left, right] = hexText.split('::');
  const l = parse(left);
  const r = parse(right);
  const groups = hexText.includes('::')
    ? [...l, ...new Array<number>(GROUPS - l.length - r.length).fill(0), ...r]
    : l;
  const out = Buffer.alloc(IPV6_BYTES);
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

/** RFC 5952 text of 16 bytes at `at` in `bytes`. */
export function ipv6FromBytes(bytes: Uint8Array, at = 0): string {
  const groups: number[] = [];
  for (let i = 0; i < GROUPS; i++) groups.push((bytes[at + 2 * i]! << 8) | bytes[at + 2 * i + 1]!);
  let bestStart = -1;
  let bestLength = 1; // a single zero group is written out, not compressed
  for (let i = 0; i < GROUPS;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < GROUPS && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

const MAPPED_PREFIX = Buffer.from('00000000000000000000ffff', 'hex');
const MULTICAST_FIRST_BYTE = 0xff;

/**
 * What the helper's family 6 carries (PROTOCOL.md "Address"): not IPv4-mapped (::ffff:0:0/96,
 * that is family 4), not unspecified (::), and — for a peer — not multicast (ff00::/8).
 */
export function isPlainUnicastIpv6(bytes: Uint8Array): boolean {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, IPV6_BYTES);
  return (
    !b.subarray(0, MAPPED_PREFIX.length).equals(MAPPED_PREFIX) &&
    !b.every((x) => x === 0) &&
    b[0] !== MULTICAST_FIRST_BYTE
  );
}
