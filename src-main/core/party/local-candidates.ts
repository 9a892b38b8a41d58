import { networkInterfaces } from 'node:os';
import { isVirtualIp } from '../../../src-shared/domain/virtual-ip-pool.js';

/**
 * Our LAN addresses with the public socket's port: what a peer behind the same public IP tries
 * first. Loopback, link-local and our own virtual network are left out (a peer cannot reach us
 * there, and a 10.66 address would loop through the tunnel itself).
 */
export const MAX_LOCAL_CANDIDATES = 8;

export function localCandidates(port: number, interfaces = networkInterfaces()): string[] {
  const out: string[] = [];
  for (const [name, addresses] of Object.entries(interfaces)) {
    if (name.startsWith('lanrage') || name.startsWith('lr')) continue;
    for (const a of addresses ?? []) {
      if (a.family !== 'IPv4' || a.internal) continue;
      if (a.address.startsWith('169.254.') || isVirtualIp(a.address)) continue;
      out.push(`${a.address}:${port}`);
    }
  }
  return out.slice(0, MAX_LOCAL_CANDIDATES);
}
