import { AUTH_LABEL } from '../../src-shared/protocol/control-messages.js';
import { hmacSha256 } from './mac.js';
import { sharedSecret } from './x25519.js';

/**
 * The control-server login proof (see control-messages.ts): HMAC over the connection's nonce
 * and both public keys, keyed by the X25519 secret only the key's owner and the server share.
 * Both sides call this, each with its own private key.
 */
export function authProof(
  ourPrivateKey: string,
  theirPublicKey: string,
  nonce: string,
  clientPublicKey: string,
  serverPublicKey: string,
): string {
  return authProofFromSecret(
    sharedSecret(ourPrivateKey, theirPublicKey),
    nonce,
    clientPublicKey,
    serverPublicKey,
  ).toString('base64');
}

/** The proof's formula, for a caller that computed the X25519 secret itself (the server). */
export function authProofFromSecret(
  secret: Uint8Array,
  nonce: string,
  clientPublicKey: string,
  serverPublicKey: string,
): Buffer {
  return hmacSha256(
    secret,
    AUTH_LABEL,
    Buffer.from(nonce, 'base64'),
    Buffer.from(clientPublicKey, 'base64'),
    Buffer.from(serverPublicKey, 'base64'),
  );
}
