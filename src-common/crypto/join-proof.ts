import { createHash, randomBytes } from 'node:crypto';

/**
 * Join proofs: a hashcash-style proof of work a client attaches to an invite code once its
 * address group (or the whole server) has used up its free wrong guesses. Addresses are cheap
 * for an attacker, CPU is not: past the free budget, every guess costs ~2^bits hashes, while
 * the server checks a proof with one HMAC and one SHA-256. A real invitee pays it once.
 *
 *   digest = SHA-256( seed     ‖ invite code    ‖ nonce   )
 *                     32 bytes   11 ASCII bytes   8 bytes
 *
 * The code is hashed as normalizeInviteCode returns it ("XXXXX-XXXXX"), on both sides.
 *
 * The proof holds when the digest starts with at least `bits` zero bits. The seed comes from the
 * server (join-proof-issuer.ts) and binds the member key, a time window and `bits`; the code is
 * in the digest, so each guess needs a proof of its own.
 */

export const JOIN_PROOF_SEED_BYTES = 32;
export const JOIN_PROOF_NONCE_BYTES = 8;
/** Protocol ceiling on difficulty: 2^32 hashes is hours of CPU, far beyond any sane setting. */
export const JOIN_PROOF_MAX_BITS = 32;
/**
 * Why 4,096 hashes between yields: ~10 ms of Node's SHA-256 on this class of machine, so the
 * heartbeats and UI pushes sharing the event loop wait at most that long.
 */
const HASHES_PER_SLICE = 4_096;
/**
 * Why 2^(bits+6): the chance of finding nothing in that many tries is e^-64. Past it something is
 * wrong (a bits value the client cannot meet), so stop instead of spinning forever.
 */
const GIVE_UP_FACTOR = 64;

export function joinProofDigest(seed: Uint8Array, inviteCode: string, nonce: Uint8Array): Buffer {
  return createHash('sha256').update(seed).update(inviteCode, 'latin1').update(nonce).digest();
}

/** Zero bits at the start of `digest`. */
export function leadingZeroBits(digest: Uint8Array): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

export function joinProofHolds(
  seed: Uint8Array,
  inviteCode: string,
  nonce: Uint8Array,
  bits: number,
): boolean {
  if (seed.length !== JOIN_PROOF_SEED_BYTES || nonce.length !== JOIN_PROOF_NONCE_BYTES) {
    return false;
  }
  return leadingZeroBits(joinProofDigest(seed, inviteCode, nonce)) >= bits;
}

export interface SolveOptions {
  /** Lets the event loop run between slices; a test may pass a synchronous stand-in. */
  yieldToLoop?: () => Promise<void>;
  /** Stops the search early (the join was abandoned). */
  signal?: AbortSignal;
}

/** Finds a nonce whose digest has `bits` leading zero bits; ~2^bits hashes on average. */
export async function solveJoinProof(
  seed: Uint8Array,
  inviteCode: string,
  bits: number,
  options: SolveOptions = {},
): Promise<Buffer> {
  if (!Number.isInteger(bits) || bits < 0 || bits > JOIN_PROOF_MAX_BITS) {
    throw new RangeError(`join proof difficulty out of range: ${bits}`);
  }
  const yieldToLoop = options.yieldToLoop ?? (() => new Promise<void>((r) => setImmediate(r)));
  const input = Buffer.alloc(seed.length + inviteCode.length + JOIN_PROOF_NONCE_BYTES);
  Buffer.from(seed).copy(input, 0);
  input.write(inviteCode, seed.length, 'latin1');
  const nonceAt = seed.length + inviteCode.length;
  // A random high half: two solvers of the same seed and code do not walk the same nonces.
  randomBytes(4).copy(input, nonceAt);
  const limit = Math.min(2 ** bits * GIVE_UP_FACTOR, 2 ** 32);
  for (let tried = 0; tried < limit;) {
    options.signal?.throwIfAborted();
    for (let i = 0; i < HASHES_PER_SLICE; i++, tried++) {
      input.writeUInt32BE(tried, nonceAt + 4);
      const digest = createHash('sha256').update(input).digest();
      if (leadingZeroBits(digest) >= bits) return Buffer.from(input.subarray(nonceAt));
    }
    await yieldToLoop();
  }
  throw new Error(`no join proof of ${bits} bits found in ${limit} tries`);
}
