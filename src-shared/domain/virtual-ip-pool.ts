/**
 * Virtual IP arithmetic for a party: 10.66.0.0/16, handed out /24 by /24 (10.66.0.1 … 10.66.0.254,
 * then 10.66.1.1 …). Host .0 and .255 of each /24 are never used, so a game that assumes a /24
 * LAN never sees a network or broadcast address as a peer.
 */
const BASE = (10 << 24) | (66 << 16);
const SUBNETS = 256;
const HOSTS_PER_SUBNET = 254;
export const VIRTUAL_IP_CAPACITY = SUBNETS * HOSTS_PER_SUBNET;

/** The n-th usable address (0-based) in allocation order. */
export function virtualIpAt(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= VIRTUAL_IP_CAPACITY) {
    throw new RangeError(`virtual IP index ${index} is outside 0-${VIRTUAL_IP_CAPACITY - 1}`);
  }
  const subnet = Math.floor(index / HOSTS_PER_SUBNET);
  const host = (index % HOSTS_PER_SUBNET) + 1;
  const value = (BASE | (subnet << 8) | host) >>> 0;
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** True for an address this pool could have handed out. */
export function isVirtualIp(ip: string): boolean {
  const m = /^10\.66\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return false;
  const subnet = Number(m[1]);
  const host = Number(m[2]);
  return subnet <= 255 && host >= 1 && host <= 254;
}

/**
 * Picks the address for a member: the one it had before when nobody holds it now, else the
 * lowest free one. Returns null when the party's /16 is full.
 */
export function allocateVirtualIp(
  inUse: ReadonlySet<string>,
  previous?: string | null,
): string | null {
  if (previous && isVirtualIp(previous) && !inUse.has(previous)) return previous;
  for (let i = 0; i < VIRTUAL_IP_CAPACITY; i++) {
    const ip = virtualIpAt(i);
    if (!inUse.has(ip)) return ip;
  }
  return null;
}
