import { createHmac, timingSafeEqual } from 'node:crypto';

/** Truncated HMAC-SHA256 as every LANrage wire format uses it (16 bytes: 128-bit forgery bound). */
export const MAC_LENGTH = 16;

export function hmacSha256(key: Uint8Array, ...parts: (Uint8Array | string)[]): Buffer {
  const h = createHmac('sha256', key);
  for (const part of parts) h.update(part);
  return h.digest();
}

export function mac16(key: Uint8Array, ...parts: (Uint8Array | string)[]): Buffer {
  return hmacSha256(key, ...parts).subarray(0, MAC_LENGTH);
}

/** Constant-time comparison; false (not a throw) on a length mismatch. */
export function macEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
