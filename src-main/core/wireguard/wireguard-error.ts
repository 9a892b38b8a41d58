import { LanrageError } from '../../../src-shared/domain/lanrage-error.js';

/**
 * Why the WireGuard identity could not be used (a key file that holds no key). The tunnel's own
 * failures are HelperErrors (helper/helper-error.ts).
 */
export type WireGuardErrorKind = 'invalid-argument';

export class WireGuardError extends LanrageError {
  readonly kind: WireGuardErrorKind;

  constructor(kind: WireGuardErrorKind, message: string, options?: { cause?: unknown }) {
    super('wireguard-failed', message, options);
    this.name = 'WireGuardError';
    this.kind = kind;
  }
}
