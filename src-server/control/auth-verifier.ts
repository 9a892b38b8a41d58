import { diffieHellman, type KeyObject } from 'node:crypto';
import { authProofFromSecret } from '../../src-common/crypto/control-auth.js';
import { macEqual } from '../../src-common/crypto/mac.js';
import { privateKeyObject, publicKeyObject, type KeyPair } from '../../src-common/crypto/x25519.js';

/**
 * Checks login proofs (the formula in control-messages.ts, computed by control-auth.ts) with the
 * server's private key imported once. authProof() re-imports it from text on every call, which
 * was the largest cost of a login (~1 ms of ~1.5 ms) when thousands reconnect at once;
 * auth-verifier.test.ts holds the two to the same answers.
 */
export class AuthVerifier {
  private readonly privateKey: KeyObject;
  private readonly serverPublic: string;

  constructor(serverKey: KeyPair) {
    this.privateKey = privateKeyObject(serverKey.privateKey);
    this.serverPublic = serverKey.publicKey;
  }

  /** True when `proof` shows the holder of `publicKey`'s private key answered `nonce`. */
  verify(nonce: string, publicKey: string, proof: string): boolean {
    let secret: Buffer;
    try {
      secret = diffieHellman({
        privateKey: this.privateKey,
        publicKey: publicKeyObject(publicKey),
      });
    } catch {
      // Not a 32-byte key, or not a usable curve point (X25519 refuses low-order points): no one
      // can prove it.
      return false;
    }
    const expected = authProofFromSecret(secret, nonce, publicKey, this.serverPublic);
    return macEqual(expected, Buffer.from(proof, 'base64'));
  }
}
