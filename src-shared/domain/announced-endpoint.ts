import { isIpv4, parseEndpoint } from './endpoint.js';

/**
 * Is a member's announced public endpoint really its own? A member writes its `publicEndpoint`
 * itself (its STUN answer), so a hostile one can announce anybody's IP and a symmetric NAT, and
 * its peers' port probing would then spray up to 1,280 probes per attempt at that stranger. The
 * control server therefore stamps each member with `seenIp`, the address its connection comes
 * from (never a value the member sends), and bulk senders aim only at an announced IP that equals
 * it. A player's control connection and its UDP socket leave through the same NAT, so for honest
 * members the two agree (the NAT lab checks this); where they do not (the server reached over
 * IPv6, a VPN or a second internet line for one of them) the pair simply stays relayed.
 */
export type AnnouncedIpCheck =
  | { confirmed: true }
  | {
      confirmed: false;
      /** The announced endpoint's IP, or null when the member announced none. */
      announced: string | null;
      /** What the control server saw, or null when it did not say (a server older than this). */
      seen: string | null;
    };

const IPV4_MAPPED = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/**
 * One text per address, so two spellings of it compare equal: IPv4 as a dotted quad, IPv4-mapped
 * IPv6 (`::ffff:192.0.2.1`, as a dual-stack server socket reports IPv4 peers) as that IPv4, other
 * IPv6 in the RFC 5952 form (lower case, `::` for the longest zero run; the WHATWG URL parser
 * writes exactly that). Null for anything that is not an IP literal (zones included).
 */
export function canonicalIp(text: string): string | null {
  if (isIpv4(text)) return text;
  if (!/^[0-9a-fA-F:.]{2,45}$/.test(text) || !text.includes(':')) return null;
  let host: string;
  try {
    host = new URL(`http://[${text}]/`).hostname;
  } catch {
    return null;
  }
  const v6 = host.slice(1, -1);
  const mapped = IPV4_MAPPED.exec(v6);
  if (!mapped) return v6;
  const hi = Number.parseInt(mapped[1]!, 16);
  const lo = Number.parseInt(mapped[2]!, 16);
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

/** Does `publicEndpoint`'s IP equal the IP the control server saw the member at? */
export function checkAnnouncedIp(
  publicEndpoint: string | null,
  seenIp: string | null | undefined,
): AnnouncedIpCheck {
  const ep = publicEndpoint === null ? null : parseEndpoint(publicEndpoint);
  const announced = ep?.ok ? canonicalIp(ep.value.host) : null;
  const seen = seenIp == null ? null : canonicalIp(seenIp);
  if (announced !== null && announced === seen) return { confirmed: true };
  return { confirmed: false, announced, seen };
}

/** The check's failure in a few words, for `reason` and the logs ("the peer announced …"). */
export function unconfirmedWords(check: AnnouncedIpCheck & { confirmed: false }): string {
  if (check.announced === null) return 'the peer announced no public address';
  if (check.seen === null)
    return `the LANrage server has not confirmed the peer's address ${check.announced}`;
  return `the peer announced ${check.announced}, but the LANrage server sees it at ${check.seen}`;
}
