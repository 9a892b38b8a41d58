import { createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import { hmacSha256, macEqual } from '../../src-main/core/crypto/mac.js';
import type { KeyPair } from '../../src-main/core/crypto/x25519.js';
import { AUTH_LABEL } from '../../src-shared/protocol/control-messages.js';

/**
 * Checks login proofs (the formula in control-messages.ts, as control-auth.ts computes it) with
 * the server's private key imported once. authProof() re-imports it from text on every call,
 * which was the largest cost of a login (~1 ms of ~1.5 ms) when thousands reconnect at once;
 * auth-verifier.test.ts holds the two to the same answers.
 */

/** DER prefix of a PKCS#8 X25519 private key; the 32 raw bytes follow. */
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

export class AuthVerifier {
  private readonly privateKey: KeyObject;
  private readonly serverPublic: Buffer;

  constructor(serverKey: KeyPair) {
    this.privateKey = createPrivateKey({
      key: Buffer.concat([PKCS8_X25519_PREFIX, Buffer.from(serverKey.privateKey, 'base64')]),
      format: 'der',
      type: 'pkcs8',
    });
    this.serverPublic = Buffer.from(serverKey.publicKey, 'base64');
  }

  /** True when `proof` shows the holder of `publicKey`'s private key answered `nonce`. */
  verify(nonce: string, publicKey: string, proof: string): boolean {
    const clientPublic = Buffer.from(publicKey, 'base64');
    let secret: Buffer;
    try {
      const peer = createPublicKey({
        key: { kty: 'OKP', crv: 'X25519', x: clientPublic.toString('base64url') },
        format: 'jwk',
      });
      secret = diffieHellman({ privateKey: this.privateKey, publicKey: peer });
    } catch {
      // Not a usable curve point (X25519 refuses low-order points): no one can prove it.
      return false;
    }
    const expected = hmacSha256(
      secret,
      AUTH_LABEL,
      Buffer.from(nonce, 'base64'),
      clientPublic,
      this.serverPublic,
    );
    return macEqual(expected, Buffer.from(proof, 'base64'));
  }
}
