import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';

/**
 * WireGuard keys are raw 32-byte X25519 keys in base64. node:crypto speaks JWK, so these helpers
 * translate; the same keys then authenticate us to the control server and derive probe keys.
 */
export interface KeyPair {
  privateKey: string;
  publicKey: string;
}

const KEY_BYTES = 32;

function b64ToB64url(b64: string): string {
  return Buffer.from(b64, 'base64').toString('base64url');
}

function decodeKey(b64: string, what: string): Buffer {
  const raw = Buffer.from(b64, 'base64');
  if (raw.length !== KEY_BYTES || raw.toString('base64') !== b64) {
    throw new Error(`${what} is not a 32-byte base64 key`);
  }
  return raw;
}

export function generateKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const priv = privateKey.export({ format: 'jwk' });
  const pub = publicKey.export({ format: 'jwk' });
  return {
    privateKey: Buffer.from(priv.d ?? '', 'base64url').toString('base64'),
    publicKey: Buffer.from(pub.x ?? '', 'base64url').toString('base64'),
  };
}

/** The private key as a node:crypto KeyObject (import once where a key is used many times). */
export function privateKeyObject(privateKeyB64: string): KeyObject {
  decodeKey(privateKeyB64, 'private key');
  const d = b64ToB64url(privateKeyB64);
  // JWK import needs x as well; derive it by importing d alone through PKCS#8.
  const pkcs8 = Buffer.concat([
    Buffer.from('302e020100300506032b656e04220420', 'hex'),
    Buffer.from(d, 'base64url'),
  ]);
  return createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
}

export function publicKeyObject(publicKeyB64: string): KeyObject {
  decodeKey(publicKeyB64, 'public key');
  return createPublicKey({
    key: { kty: 'OKP', crv: 'X25519', x: b64ToB64url(publicKeyB64) },
    format: 'jwk',
  });
}

export function publicKeyFromPrivate(privateKeyB64: string): string {
  const jwk = createPublicKey(privateKeyObject(privateKeyB64)).export({ format: 'jwk' });
  return Buffer.from(jwk.x ?? '', 'base64url').toString('base64');
}

/** X25519(ourPrivate, theirPublic): the same 32 bytes on both sides. Throws on a malformed key. */
export function sharedSecret(ourPrivateB64: string, theirPublicB64: string): Buffer {
  return diffieHellman({
    privateKey: privateKeyObject(ourPrivateB64),
    publicKey: publicKeyObject(theirPublicB64),
  });
}

export function isWireGuardKey(text: unknown): text is string {
  if (typeof text !== 'string' || text.length !== 44) return false;
  const raw = Buffer.from(text, 'base64');
  return raw.length === KEY_BYTES && raw.toString('base64') === text;
}
