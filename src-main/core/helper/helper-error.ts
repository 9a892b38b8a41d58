import { LanrageError, type LanrageErrorCode } from '../../../src-shared/domain/lanrage-error.js';

/**
 * Everything that can go wrong with the WireGuard helper. `failure` says what happened; the
 * LanrageError code (what the CLI's exit code and the app's message are looked up from) follows
 * from it:
 * - `not-built`: no helper binary where we look (a source checkout that was not built) → no-wireguard.
 * - `spawn-failed`: the binary or the elevation command could not be started → wireguard-failed.
 * - `elevation-refused`: the elevation command ran but did not start the helper (wrong password,
 *   cancelled prompt, no sudoers rule) → no-privilege.
 * - `exited`: the helper went away (the tunnel is gone with it) → wireguard-failed.
 * - `protocol`: the helper said something that is not the protocol, or another version.
 * - `refused`: the helper answered a request with an error (`helperCode` says which); an `os`
 *   error about permission → no-privilege.
 * - `bad-request`: we were about to send a request the protocol refuses (a bug on our side).
 * - `timeout`: no answer in time.
 */
export type HelperFailure =
  | 'not-built'
  | 'spawn-failed'
  | 'elevation-refused'
  | 'exited'
  | 'protocol'
  | 'refused'
  | 'bad-request'
  | 'timeout';

function codeOf(
  failure: HelperFailure,
  helperCode: string | null,
  message: string,
): LanrageErrorCode {
  if (failure === 'not-built') return 'no-wireguard';
  if (failure === 'elevation-refused') return 'no-privilege';
  if (failure === 'bad-request') return 'internal';
  if (helperCode === 'os' && /not permitted|permission denied/i.test(message))
    return 'no-privilege';
  return 'wireguard-failed';
}

export class HelperError extends LanrageError {
  constructor(
    readonly failure: HelperFailure,
    message: string,
    /** The helper's own error code (PROTOCOL.md) when failure is `refused` or `bad-request`. */
    readonly helperCode: string | null = null,
    options?: { cause?: unknown },
  ) {
    super(codeOf(failure, helperCode, message), message, options);
    this.name = 'HelperError';
  }
}
