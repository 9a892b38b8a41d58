import { parsed, rejected, type ParseResult } from '../protocol/parse-result.js';

/**
 * Invite codes: 10 symbols of Crockford's base32, shown as "K7M2Q-9XTRA". 50 bits is
 * unguessable when the control server limits join attempts, and short enough to read out over
 * voice chat. Crockford's alphabet has no I, L, O or U; what a listener types for them is
 * folded back (O→0, I/L→1), and case, spaces and dashes do not matter.
 */
export const INVITE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const INVITE_LENGTH = 10;

/** Formats a code from random bytes (at least INVITE_LENGTH of them; each gives 5 bits). */
export function inviteCodeFromBytes(bytes: Uint8Array): string {
  if (bytes.length < INVITE_LENGTH) throw new RangeError(`need ${INVITE_LENGTH} random bytes`);
  let code = '';
  for (let i = 0; i < INVITE_LENGTH; i++) code += INVITE_ALPHABET[bytes[i]! & 31];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** Accepts what a person typed; returns the canonical "XXXXX-XXXXX" form or why it is not a code. */
export function normalizeInviteCode(input: unknown): ParseResult<string> {
  if (typeof input !== 'string') return rejected('invite code must be text');
  if (input.length > 40) return rejected('invite code is too long (it has 10 letters and digits)');
  const folded = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (folded.length !== INVITE_LENGTH) {
    return rejected(
      `invite code has ${folded.length} letters and digits; it needs ${INVITE_LENGTH}`,
    );
  }
  for (const ch of folded) {
    if (!INVITE_ALPHABET.includes(ch)) return rejected(`"${ch}" cannot appear in an invite code`);
  }
  return parsed(`${folded.slice(0, 5)}-${folded.slice(5)}`);
}
