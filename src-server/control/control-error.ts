import type { ErrorCode } from '../../src-shared/protocol/control-messages.js';

/**
 * A refusal the client should hear about: the service throws it, the session turns it into
 * `{ ok: false, error: { code, message } }`. Anything else thrown is a bug and answers `internal`.
 */
export class ControlError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}
