import { LanrageError, type LanrageErrorCode } from '../../src-shared/domain/lanrage-error.js';
import type { ServiceErrorCode } from '../../src-shared/ipc/contract.js';
import { ServiceError } from '../../src-shared/ipc/service-error.js';

/**
 * The core's errors (one LanrageError with a code union) as the contract's codes, with a sentence
 * a player can act on. Looked up from the code, never from the message.
 */
const SERVICE_CODE_OF: Readonly<Record<LanrageErrorCode, ServiceErrorCode>> = {
  'bad-config': 'bad-setting',
  usage: 'bad-request',
  'control-unreachable': 'control-unreachable',
  'control-refused': 'refused',
  'control-protocol': 'refused',
  'bad-invite': 'bad-invite',
  'already-in-party': 'already-in-party',
  'not-in-party': 'not-in-party',
  'unknown-relay': 'unknown-relay',
  'no-wireguard': 'unavailable',
  'no-privilege': 'unavailable',
  'wireguard-failed': 'unavailable',
  socket: 'unavailable',
  internal: 'internal',
};

/** What the window says before the core's own detail, for the codes whose detail is terse. */
const LEAD_OF: Partial<Record<LanrageErrorCode, string>> = {
  'control-unreachable': 'The LANrage server did not answer. Check your connection and try again',
  'control-refused': 'The LANrage server refused',
};

/**
 * What the window says after the core's own detail, for the codes whose detail already says what
 * happened ("no party has invite code K7M2Q-9XTRA"): only what to do about it.
 */
const HINT_OF: Partial<Record<LanrageErrorCode, string>> = {
  'bad-invite': 'Check it with whoever sent it.',
};

export function toServiceError(error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  if (error instanceof LanrageError) {
    const lead = LEAD_OF[error.code];
    const hint = HINT_OF[error.code];
    const message =
      lead !== undefined
        ? `${lead} (${error.message}).`
        : hint !== undefined
          ? `${capitalise(error.message)}. ${hint}`
          : capitalise(error.message);
    return new ServiceError(SERVICE_CODE_OF[error.code], message);
  }
  return new ServiceError('internal', error instanceof Error ? error.message : String(error));
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
