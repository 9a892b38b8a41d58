import { readFile } from 'node:fs/promises';

/**
 * The IPv4 default gateway, where NAT-PMP and PCP requests go (RFC 6886 §3.1: the router is the
 * default gateway). Linux only, from /proc/net/route; elsewhere null (PCP and NAT-PMP are then
 * not tried, and the log says so).
 *
 * /proc/net/route: a header line, then one line per route, tab-separated:
 *   Iface  Destination  Gateway  Flags  RefCnt  Use  Metric  Mask  …
 * Destination and Gateway are IPv4 addresses as 8 hex digits in host (little-endian) byte order;
 * the default route has Destination 00000000 and the RTF_GATEWAY flag (0x2).
 */
const RTF_UP = 0x1;
const RTF_GATEWAY = 0x2;

export function parseProcNetRoute(text: string): string | null {
  let best: { gateway: string; metric: number } | null = null;
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [, destination, gatewayHex, flagsHex, , , metricText] = f;
    const flags = Number.parseInt(flagsHex!, 16);
    if (destination !== '00000000' || !/^[0-9A-Fa-f]{8}$/.test(gatewayHex!)) continue;
    if ((flags & (RTF_UP | RTF_GATEWAY)) !== (RTF_UP | RTF_GATEWAY)) continue;
    const n = Number.parseInt(gatewayHex!, 16);
    const gateway = [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24].join('.');
    const metric = Number.parseInt(metricText!, 10) || 0;
    if (!best || metric < best.metric) best = { gateway, metric };
  }
  return best?.gateway ?? null;
}

export async function defaultGateway(): Promise<string | null> {
  if (process.platform !== 'linux') return null;
  try {
    return parseProcNetRoute(await readFile('/proc/net/route', 'utf8'));
  } catch {
    return null;
  }
}
