import { createHash, X509Certificate } from 'node:crypto';

/**
 * A TLS certificate's pin: SHA-256 of its DER bytes, base64url (43 characters) — short enough to
 * ride in an invite link, and what the control server prints at start. The same function runs on
 * the server (from its PEM) and on the client (from the certificate the handshake presented), so
 * both always agree on the format.
 */
export const FINGERPRINT_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function fingerprintOfDer(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('base64url');
}

/** The pin of a PEM (or DER) certificate. */
export function certificateFingerprint(cert: string | Buffer): string {
  return fingerprintOfDer(new X509Certificate(cert).raw);
}

/**
 * Checks the certificate a TLS socket was shown against a pin; null when it matches, else why
 * not, in words a user can act on. Callers connect with `rejectUnauthorized: false` (a pinned
 * self-signed certificate cannot pass CA checks) and must call this before sending anything
 * secret: the pin is the whole of the authentication.
 */
export function pinMismatch(
  peer: { getPeerCertificate(detailed?: boolean): { raw?: Buffer } | null },
  pin: string,
  what: string,
): string | null {
  const raw = peer.getPeerCertificate()?.raw;
  if (!raw || raw.length === 0) return `${what} presented no TLS certificate`;
  const seen = fingerprintOfDer(raw);
  return seen === pin
    ? null
    : `${what} presented TLS certificate ${seen}, not the pinned ${pin}: someone may be intercepting the connection (if the server's certificate was really replaced, update the pin)`;
}
