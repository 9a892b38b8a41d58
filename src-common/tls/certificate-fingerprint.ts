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
