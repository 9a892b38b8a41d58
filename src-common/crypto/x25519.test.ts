import { describe, expect, it } from 'vitest';
import { authProof } from './control-auth.js';
import { generateKeyPair, isWireGuardKey, publicKeyFromPrivate, sharedSecret } from './x25519.js';

describe('x25519 keys in WireGuard format', () => {
  it('derives the public key from the private key', () => {
    const pair = generateKeyPair();
    expect(publicKeyFromPrivate(pair.privateKey)).toBe(pair.publicKey);
    expect(isWireGuardKey(pair.publicKey)).toBe(true);
  });

  it('gives both sides the same shared secret', () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    expect(
      sharedSecret(a.privateKey, b.publicKey).equals(sharedSecret(b.privateKey, a.publicKey)),
    ).toBe(true);
  });

  it('matches a key pair made by `wg genkey | wg pubkey`', () => {
    // Fixed vector produced with wireguard-tools, so our keys are interchangeable with wg's.
    expect(publicKeyFromPrivate('YDV78kNxGJlJVeHpFXHaanVU+nWDL7VN1Ym7eeNz+Wc=')).toBe(
      'TIKEA8cLFxkUTDz8LKWQ6Qi/zEE2k8soeVoYtE6CuG4=',
    );
  });

  it('refuses a key that is not 32 bytes of base64', () => {
    const a = generateKeyPair();
    expect(() => sharedSecret(a.privateKey, 'AAAA')).toThrow(/not a 32-byte base64 key/);
    expect(isWireGuardKey('AAAA')).toBe(false);
  });

  it('lets client and server compute the same login proof, and nobody else', () => {
    const client = generateKeyPair();
    const server = generateKeyPair();
    const intruder = generateKeyPair();
    const nonce = Buffer.alloc(32, 1).toString('base64');
    const byClient = authProof(
      client.privateKey,
      server.publicKey,
      nonce,
      client.publicKey,
      server.publicKey,
    );
    const byServer = authProof(
      server.privateKey,
      client.publicKey,
      nonce,
      client.publicKey,
      server.publicKey,
    );
    const byIntruder = authProof(
      intruder.privateKey,
      server.publicKey,
      nonce,
      client.publicKey,
      server.publicKey,
    );
    expect(byClient).toBe(byServer);
    expect(byIntruder).not.toBe(byServer);
  });
});
