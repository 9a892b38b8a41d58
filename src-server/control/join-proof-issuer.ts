import { hmacSha256, macEqual } from '../../src-common/crypto/mac.js';
import {
  JOIN_PROOF_NONCE_BYTES,
  JOIN_PROOF_SEED_BYTES,
  joinProofHolds,
} from '../../src-common/crypto/join-proof.js';

/**
 * Hands out join-proof seeds and checks proofs (src-common/crypto/join-proof.ts), keeping no
 * state: a seed is HMAC(secret, key ‖ window ‖ bits), so the server recomputes it instead of
 * remembering it, and a flood of challenge requests costs one HMAC each and no memory. A seed
 * is good for its window and the next (one to two minutes): long enough to solve on a slow
 * laptop, too short to stockpile proofs for later.
 */

export interface JoinProof {
  /** Base64 of the 32-byte seed from `join.challenge`. */
  seed: string;
  /** Base64 of the 8-byte nonce the client found. */
  nonce: string;
  /** The difficulty the seed was issued for. */
  bits: number;
}

/** Why one minute: the join limiter's own window, so a seed outlives the budget it works around. */
const SEED_WINDOW_MS = 60_000;

export class JoinProofIssuer {
  constructor(
    private readonly secret: Uint8Array,
    private readonly now: () => number,
  ) {}

  /** A seed for `key` at difficulty `bits`, good for this window and the next. */
  challenge(key: string, bits: number): { seed: string; bits: number } {
    return { seed: this.seedFor(key, this.window(), bits).toString('base64'), bits };
  }

  /** Does `proof` show the work for `inviteCode`, on a seed issued to `key` recently? */
  verify(key: string, inviteCode: string, proof: JoinProof): boolean {
    const seed = Buffer.from(proof.seed, 'base64');
    const nonce = Buffer.from(proof.nonce, 'base64');
    if (seed.length !== JOIN_PROOF_SEED_BYTES || nonce.length !== JOIN_PROOF_NONCE_BYTES) {
      return false;
    }
    const window = this.window();
    const issued = [window, window - 1].some((w) =>
      macEqual(seed, this.seedFor(key, w, proof.bits)),
    );
    return issued && joinProofHolds(seed, inviteCode, nonce, proof.bits);
  }

  private window(): number {
    return Math.floor(this.now() / SEED_WINDOW_MS);
  }

  private seedFor(key: string, window: number, bits: number): Buffer {
    return hmacSha256(this.secret, 'lanrage join proof\0', key, `\0${window}\0${bits}`);
  }
}
