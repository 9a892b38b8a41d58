import { parsed, rejected, type ParseResult } from '../protocol/parse-result.js';

/** A UDP endpoint: IPv4 dotted quad or IPv6 literal, and a port. */
export interface Endpoint {
  host: string;
  port: number;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
// Loose on purpose: only literals that can be written back unambiguously; DNS names are not endpoints.
const IPV6 = /^[0-9a-fA-F:.]{2,45}$/;
const HOSTNAME =
  /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

export function isIpv4(host: string): boolean {
  return IPV4.test(host);
}

/**
 * Parses "1.2.3.4:5", "[::1]:5" and, when `allowHostname`, "relay.example:5".
 * Peers exchange IP literals only; names are for what a user types (server addresses).
 */
export function parseEndpoint(
  text: string,
  options: { allowHostname?: boolean } = {},
): ParseResult<Endpoint> {
  if (typeof text !== 'string' || text.length === 0 || text.length > 300) {
    return rejected('endpoint must be a non-empty "host:port" string');
  }
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':')
      return rejected(`endpoint "${text}" is not [ipv6]:port`);
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    if (!host.includes(':') || !IPV6.test(host))
      return rejected(`"${host}" is not an IPv6 address`);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon <= 0) return rejected(`endpoint "${text}" has no port (expected host:port)`);
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    const validHost = IPV4.test(host) || (options.allowHostname === true && HOSTNAME.test(host));
    if (!validHost) {
      return rejected(
        options.allowHostname === true
          ? `"${host}" is not an IPv4 address or host name`
          : `"${host}" is not an IPv4 address`,
      );
    }
  }
  if (!/^\d{1,5}$/.test(portText)) return rejected(`port "${portText}" is not a number`);
  const port = Number(portText);
  if (port < 1 || port > 65535) return rejected(`port ${port} is outside 1-65535`);
  return parsed({ host, port });
}

export function formatEndpoint(endpoint: Endpoint): string {
  return endpoint.host.includes(':')
    ? `[${endpoint.host}]:${endpoint.port}`
    : `${endpoint.host}:${endpoint.port}`;
}

/** Whether an endpoint as `formatEndpoint` writes it ("[2001:db8::2]:51820") is IPv6. */
export function isIpv6EndpointText(text: string | null): boolean {
  return text !== null && text.startsWith('[');
}
