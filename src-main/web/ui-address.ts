import { isIP } from 'node:net';

/**
 * `--ui [HOST:]PORT`: where web mode listens. Loopback (127.0.0.1) unless a host is given; any
 * other host serves the UI to the network, which the caller must say out loud.
 */
export interface UiAddress {
  host: string;
  port: number;
  loopback: boolean;
}

export class UiAddressError extends Error {
  override readonly name = 'UiAddressError';
}

export const DEFAULT_UI_HOST = '127.0.0.1';

export function parseUiAddress(text: string): UiAddress {
  const match = /^(?:(\[[0-9a-fA-F:]+\]|[^:]+):)?(\d{1,5})$/.exec(text.trim());
  if (!match)
    throw new UiAddressError(
      `--ui ${text}: expected PORT or HOST:PORT (e.g. 7480 or 127.0.0.1:7480)`,
    );
  const host = (match[1] ?? DEFAULT_UI_HOST).replace(/^\[|\]$/g, '');
  const port = Number(match[2]);
  if (port > 65535) throw new UiAddressError(`--ui ${text}: port must be 0-65535`);
  if (host !== 'localhost' && isIP(host) === 0)
    throw new UiAddressError(`--ui ${text}: host must be an IP address or localhost`);
  // The server admits only requests whose Host names the address it listens on (DNS
  // rebinding): on "any address" no browser elsewhere could name it, so ask for the one meant.
  if (host === '0.0.0.0' || host === '::')
    throw new UiAddressError(
      `--ui ${text}: give the one address to serve on (e.g. 192.168.1.20:${port}); browsers must open the UI at that address`,
    );
  return { host, port, loopback: isLoopbackHost(host) };
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
