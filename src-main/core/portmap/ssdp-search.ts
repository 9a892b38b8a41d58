import { createSocket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import type { Clock } from '../time/clock.js';

/**
 * SSDP discovery of an Internet Gateway Device (UPnP Device Architecture 1.1, §1.3): one M-SEARCH
 * to the multicast group, the first valid answer wins. An answer is an HTTP-like datagram:
 *
 *   HTTP/1.1 200 OK\r\n
 *   ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n
 *   LOCATION: http://192.168.1.1:5000/rootDesc.xml\r\n
 *   …\r\n
 *
 * Hostile answers: anything but a 200 with an http LOCATION on the answering address itself is
 * ignored (a LOCATION elsewhere would make us fetch from a host the router does not own).
 */
export const SSDP_GROUP = { host: '239.255.255.250', port: 1900 };
export const IGD_SEARCH_TARGET = 'urn:schemas-upnp-org:device:InternetGatewayDevice:1';
/**
 * A gateway on the LAN answers an M-SEARCH within milliseconds (we ask MX: 1, and routers do not
 * wait for it); 400 ms bounds what a network without UPnP costs us.
 */
export const SSDP_WAIT_MS = 400;
/** SSDP answers are a few hundred bytes; anything longer is not one. */
const MAX_ANSWER_BYTES = 2048;

export interface SsdpAnswer {
  /** The description URL the gateway named. */
  location: URL;
  /** Who answered. */
  from: string;
}

export function searchRequest(target = SSDP_GROUP): Buffer {
  return Buffer.from(
    [
      'M-SEARCH * HTTP/1.1',
      `HOST: ${target.host}:${target.port}`,
      'MAN: "ssdp:discover"',
      'MX: 1',
      `ST: ${IGD_SEARCH_TARGET}`,
      '',
      '',
    ].join('\r\n'),
  );
}

/** Parses one answer datagram from `from`; null when it is not a usable IGD answer. */
export function parseSearchAnswer(datagram: Buffer, from: string): SsdpAnswer | null {
  if (datagram.length > MAX_ANSWER_BYTES) return null;
  const lines = datagram.toString('latin1').split('\r\n');
  if (!/^HTTP\/1\.[01] 200\b/.test(lines[0] ?? '')) return null;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const st = headers.get('st') ?? '';
  if (!st.startsWith('urn:schemas-upnp-org:device:InternetGatewayDevice:')) return null;
  let location: URL;
  try {
    location = new URL(headers.get('location') ?? '');
  } catch {
    return null;
  }
  if (location.protocol !== 'http:' || location.hostname !== from || !isIPv4(from)) return null;
  return { location, from };
}

/** Sends an M-SEARCH and resolves with the first IGD answer, or null after `waitMs`. */
export async function searchGateway(
  clock: Clock,
  target = SSDP_GROUP,
  waitMs = SSDP_WAIT_MS,
): Promise<SsdpAnswer | null> {
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return await new Promise<SsdpAnswer | null>((resolve) => {
      const timer = clock.setTimeout(() => resolve(null), waitMs);
      socket.on('message', (message, rinfo) => {
        const answer = parseSearchAnswer(message, rinfo.address);
        if (!answer) return;
        clock.clearTimeout(timer);
        resolve(answer);
      });
      socket.on('error', () => {
        clock.clearTimeout(timer);
        resolve(null);
      });
      socket.send(searchRequest(target), target.port, target.host);
    });
  } finally {
    socket.close();
  }
}
