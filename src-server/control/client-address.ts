import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * The address a request really comes from. Directly connected clients are who the socket says.
 * Behind a reverse proxy every request comes from the proxy, so for peers listed as trusted
 * proxies the client is the right-most X-Forwarded-For entry that is not itself a trusted proxy:
 * entries further left were written by the client and prove nothing. A header from anyone else
 * is ignored, so a client cannot pick its own rate-limit bucket.
 */
export function clientAddress(req: IncomingMessage, trustedProxies: ReadonlySet<string>): string {
  const peer = normalise(req.socket.remoteAddress ?? 'unknown');
  if (!trustedProxies.has(peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const chain = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => normalise(s.trim()))
    .filter((s) => isIP(s) !== 0);
  for (let i = chain.length - 1; i >= 0; i--) {
    if (!trustedProxies.has(chain[i]!)) return chain[i]!;
  }
  return peer;
}

/** IPv4-mapped IPv6 as plain IPv4, so "::ffff:10.0.0.1" and "10.0.0.1" are one proxy. */
export function normalise(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}
