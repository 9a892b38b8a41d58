import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { fingerprintOfDer, pinMismatch } from '../../../src-common/tls/certificate-fingerprint.js';

/**
 * How the core trusts the control server's TLS certificate. The control channel carries invite
 * codes, route grants with their secret side keys and every member's addresses, so:
 *
 * - `wss://` (or `https://`) is required, except to a loopback address, or when the user
 *   explicitly allows plain `ws://` (`allowInsecureControl`, e.g. behind their own VPN);
 * - a pinned fingerprint (settings, or the invite link) is checked on every connection; a
 *   certificate that does not match is refused before anything is sent, and the client stops;
 * - with no pin, a certificate the system trusts (a CA-signed one) is accepted; a self-signed
 *   one is trusted on first use: its fingerprint is remembered per server in the config
 *   directory, with a warning, and from then on a different certificate is refused with a clear
 *   warning that it changed.
 */

export interface ControlTrustOptions {
  /** The control server's WebSocket URL. */
  url: string;
  /** Fingerprint from settings or an invite link; null when none was given. */
  pin: string | null;
  /** JSON file of fingerprints trusted on first use, by host:port; null to never remember. */
  knownServersPath: string | null;
  allowInsecure: boolean;
  warn: (message: string) => void;
}

/** What ControlClient needs: extra socket options and a check run before anything is sent. */
export interface ControlTlsCheck {
  /** Passed to the WebSocket (and its TLS socket): rejectUnauthorized, localAddress… */
  socketOptions: { rejectUnauthorized?: boolean; localAddress?: string };
  /** Null when the server may be talked to; otherwise why not (the client then stops). */
  verify(socket: TLSSocket): string | null;
  /** The fingerprint of the certificate the last verified connection presented. */
  readonly seenFingerprint: string | null;
}

export class InsecureControlUrlError extends Error {}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/;

/** Throws InsecureControlUrlError for plain ws:// to a non-loopback host unless allowed. */
export function controlTls(options: ControlTrustOptions): ControlTlsCheck | null {
  const url = new URL(options.url);
  if (url.protocol === 'ws:') {
    if (!LOOPBACK.test(url.hostname) && !options.allowInsecure) {
      throw new InsecureControlUrlError(
        `refusing plain ${url.protocol}// to ${url.host}: invite codes, keys and addresses would cross the network in clear text. Use https:// (the control server serves TLS by default), or set allowInsecureControl in config.json if this link is private`,
      );
    }
    return null;
  }
  const where = url.host;
  const remembered = options.knownServersPath ? readKnown(options.knownServersPath)[where] : null;
  const pin = options.pin ?? remembered ?? null;
  let seen: string | null = null;
  return {
    // A pinned or first-use certificate is self-signed: the CA check is replaced by the pin.
    socketOptions: { rejectUnauthorized: false },
    get seenFingerprint() {
      return seen;
    },
    verify(socket) {
      const raw = socket.getPeerCertificate()?.raw;
      seen = raw && raw.length > 0 ? fingerprintOfDer(raw) : null;
      if (pin !== null) {
        const problem = pinMismatch(socket, pin, `control server ${where}`);
        if (problem && options.pin === null) {
          return `WARNING: the TLS certificate of control server ${where} CHANGED since it was first trusted (${problem}). If the operator really replaced it, remove "${where}" from ${options.knownServersPath}`;
        }
        return problem;
      }
      if (socket.authorized) return null;
      if (seen === null) return `control server ${where} presented no TLS certificate`;
      options.warn(
        `trusting the self-signed TLS certificate ${seen} of control server ${where} on first use; check it with the server's operator (it is printed when lanrage-control starts, and carried in invite links)`,
      );
      if (options.knownServersPath) remember(options.knownServersPath, where, seen);
      return null;
    },
  };
}

function readKnown(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

function remember(path: string, where: string, fingerprint: string): void {
  const known = readKnown(path);
  known[where] = fingerprint;
  writeFileSync(path, JSON.stringify(known, null, 2) + '\n', { mode: 0o600 });
}
