import { describe, expect, it } from 'vitest';
import { joinProofDigest, joinProofHolds, leadingZeroBits, solveJoinProof } from './join-proof.js';

// Vectors computed with Python's hashlib (sha256(seed + code + nonce)), not with this module.
const SEED = Buffer.from(Array.from({ length: 32 }, (_, i) => i + 1));
const CODE = 'ABCDE-FGHJK';

describe('join proofs', () => {
  it('hashes seed ‖ code ‖ nonce as the layout says', () => {
    expect(
      joinProofDigest(SEED, CODE, Buffer.from('0001020304050607', 'hex')).toString('hex'),
    ).toBe('08e2436b5e4341ae33a37c0a711d48818b0a3807a4611565b29f32a44faed536');
  });

  it('counts leading zero bits across bytes', () => {
    expect(leadingZeroBits(Buffer.from('0000e092', 'hex'))).toBe(16);
    expect(leadingZeroBits(Buffer.from('001f', 'hex'))).toBe(11);
    expect(leadingZeroBits(Buffer.from('80', 'hex'))).toBe(0);
    expect(leadingZeroBits(Buffer.alloc(4))).toBe(32);
  });

  it('holds at exactly the bits the digest has, and not one more', () => {
    // sha256 = 000091635940…: 16 zero bits, then a one.
    const nonce = Buffer.from('0000000000001cd4', 'hex');
    expect(joinProofHolds(SEED, CODE, nonce, 16)).toBe(true);
    expect(joinProofHolds(SEED, CODE, nonce, 17)).toBe(false);
    expect(joinProofHolds(SEED, 'ABCDE-FGHJM', nonce, 16)).toBe(false);
    expect(joinProofHolds(SEED.subarray(1), CODE, nonce, 0)).toBe(false);
    expect(joinProofHolds(SEED, CODE, nonce.subarray(1), 0)).toBe(false);
  });

  it('finds a nonce that holds, letting the event loop run between slices', async () => {
    let yields = 0;
    const nonce = await solveJoinProof(SEED, CODE, 14, {
      yieldToLoop: async () => {
        yields++;
      },
    });
    expect(nonce.length).toBe(8);
    expect(joinProofHolds(SEED, CODE, nonce, 14)).toBe(true);
    // 2^14 hashes on average in slices of 4,096; a lucky solve needs none.
    expect(yields).toBeLessThan(64);
  });

  it('refuses a difficulty outside the protocol and stops when aborted', async () => {
    await expect(solveJoinProof(SEED, CODE, 33)).rejects.toThrow(RangeError);
    await expect(solveJoinProof(SEED, CODE, 32, { signal: AbortSignal.abort() })).rejects.toThrow();
  });
});
