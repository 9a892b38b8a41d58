/**
 * Everything that can go wrong with the WireGuard helper, by code, so the CLI and the app choose
 * exit codes and messages from the code (never from the message text):
 * - `not-built`: no helper binary where we look (a source checkout that was not built).
 * - `spawn-failed`: the binary or the elevation command could not be started.
 * - `elevation-refused`: the elevation command ran but did not start the helper (wrong password,
 *   cancelled prompt, no sudoers rule).
 * - `exited`: the helper went away (the tunnel is gone with it).
 * - `protocol`: the helper said something that is not the protocol, or speaks another version.
 * - `refused`: the helper answered a request with an error (`helperCode` says which).
 * - `bad-request`: we were about to send a request the protocol refuses (a bug on our side).
 * - `timeout`: no answer in time.
 */
export type HelperErrorCode =
  | 'not-built'
  | 'spawn-failed'
  | 'elevation-refused'
  | 'exited'
  | 'protocol'
  | 'refused'
  | 'bad-request'
  | 'timeout';

export class HelperError extends Error {
  constructor(
    readonly code: HelperErrorCode,
    message: string,
    /** The helper's own error code (PROTOCOL.md) when code is `refused`. */
    readonly helperCode: string | null = null,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'HelperError';
  }
}
