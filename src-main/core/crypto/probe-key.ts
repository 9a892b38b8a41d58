import { hkdfSync } from 'node:crypto';
import { sharedSecret } from '../../../src-common/crypto/x25519.js';

/**
 * The key two peers authenticate probes with: HKDF-SHA256 over their X25519 secret, bound to
 * both public keys (sorted, so both sides derive the same bytes). Separate from WireGuard's own
 * session keys; it only proves a probe came from the holder of the peer's WireGuard key.
 */
const PROBE_KEY_SALT = 'lanrage-probe-v1';

export function deriveProbeKey(
  ownPrivateKey: string,
  ownPublicKey: string,
  peerPublicKey: string,
): Buffer {
  const [first, second] = [ownPublicKey, peerPublicKey].sort();
  const info = Buffer.concat([Buffer.from(first!, 'base64'), Buffer.from(second!, 'base64')]);
  return Buffer.from(
    hkdfSync('sha256', sharedSecret(ownPrivateKey, peerPublicKey), PROBE_KEY_SALT, info, 32),
  );
}

/** A peer's 8-byte id in probes: the first bytes of its WireGuard public key. */
export function probeSenderId(publicKey: string): Buffer {
  return Buffer.from(publicKey, 'base64').subarray(0, 8);
}
