import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authProof } from '../../src-common/crypto/control-auth.js';
import { generateKeyPair } from '../../src-common/crypto/x25519.js';
import { AuthVerifier } from './auth-verifier.js';

describe('AuthVerifier', () => {
  const server = generateKeyPair();
  const verifier = new AuthVerifier(server);

  it('accepts exactly the proofs authProof makes, for many keys and nonces', () => {
    for (let i = 0; i < 50; i++) {
      const client = generateKeyPair();
      const nonce = randomBytes(32).toString('base64');
      const proof = authProof(
        client.privateKey,
        server.publicKey,
        nonce,
        client.publicKey,
        server.publicKey,
      );
      expect(verifier.verify(nonce, client.publicKey, proof)).toBe(true);
      // The server side of authProof computes the same value from its own private key.
      expect(
        authProof(server.privateKey, client.publicKey, nonce, client.publicKey, server.publicKey),
      ).toBe(proof);
      const otherNonce = randomBytes(32).toString('base64');
      expect(verifier.verify(otherNonce, client.publicKey, proof)).toBe(false);
      expect(verifier.verify(nonce, generateKeyPair().publicKey, proof)).toBe(false);
    }
  });

  it('refuses low-order and malformed keys instead of throwing', () => {
    const nonce = randomBytes(32).toString('base64');
    const proof = Buffer.alloc(32).toString('base64');
    expect(verifier.verify(nonce, Buffer.alloc(32).toString('base64'), proof)).toBe(false);
    expect(verifier.verify(nonce, 'not a key', proof)).toBe(false);
    expect(verifier.verify(nonce, generateKeyPair().publicKey, 'short')).toBe(false);
  });
});
