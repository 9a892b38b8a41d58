import type { LanrageErrorCode } from '../../src-shared/domain/lanrage-error.js';

/** Exit codes of `lanrage`, so scripts can tell failures apart (README: "Exit codes"). */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  controlUnreachable: 3,
  badInvite: 4,
  noWireGuard: 5,
  noPrivilege: 6,
} as const;

/** The exit code for each error code: the one place that decides it. */
export const EXIT_CODE_OF: Record<LanrageErrorCode, number> = {
  'bad-config': EXIT.usage,
  usage: EXIT.usage,
  'control-unreachable': EXIT.controlUnreachable,
  'control-refused': EXIT.failure,
  'control-protocol': EXIT.failure,
  'bad-invite': EXIT.badInvite,
  'already-in-party': EXIT.failure,
  'not-in-party': EXIT.failure,
  'unknown-relay': EXIT.failure,
  'no-wireguard': EXIT.noWireGuard,
  'no-privilege': EXIT.noPrivilege,
  'wireguard-failed': EXIT.failure,
  socket: EXIT.failure,
  internal: EXIT.failure,
};
