import { LanrageError } from '../../../src-shared/domain/lanrage-error.js';

/**
 * Why a WireGuard operation failed, in words a user can act on. The `kind` lets the UI pick a
 * remedy (install a package, run with privilege) without matching on message text.
 */
export type WireGuardErrorKind =
  | 'not-installed'
  | 'permission-denied'
  | 'invalid-argument'
  | 'command-failed'
  | 'timeout'
  | 'not-up';

export class WireGuardError extends LanrageError {
  readonly kind: WireGuardErrorKind;

  constructor(kind: WireGuardErrorKind, message: string, options?: { cause?: unknown }) {
    super(
      kind === 'not-installed'
        ? 'no-wireguard'
        : kind === 'permission-denied'
          ? 'no-privilege'
          : 'wireguard-failed',
      message,
      options,
    );
    this.name = 'WireGuardError';
    this.kind = kind;
  }
}

/** What the tools print when the caller lacks CAP_NET_ADMIN (ip, wg, wireguard-go, setpriv). */
const PERMISSION_PATTERNS = [
  /operation not permitted/i,
  /permission denied/i,
  /\beperm\b/i,
  /\beacces\b/i,
  /must be run as root/i,
];

const INSTALL_HINTS: Record<string, string> = {
  wg: 'install wireguard-tools (Debian/Ubuntu: apt install wireguard-tools)',
  'wireguard-go': 'install wireguard-go (Debian/Ubuntu: apt install wireguard-go)',
  ip: 'install iproute2',
};

function toolName(file: string): string {
  return file.split('/').pop() ?? file;
}

export interface FailedCommand {
  file: string;
  args: readonly string[];
  /** errno-style code from spawn ('ENOENT', 'EACCES') or null when the process ran and failed. */
  spawnCode: string | null;
  stderr: string;
  exitCode: number | null;
  timedOut: boolean;
}

/** Turns a failed command into a WireGuardError whose message says what to do about it. */
export function explainCommandFailure(failure: FailedCommand): WireGuardError {
  const tool = toolName(failure.file);
  const command = [tool, ...failure.args].join(' ');
  const stderr = failure.stderr.trim().split('\n').slice(-3).join(' | ');
  if (failure.spawnCode === 'ENOENT') {
    const hint = INSTALL_HINTS[tool] ?? `install ${tool}`;
    return new WireGuardError(
      'not-installed',
      `${tool} is not available on this machine ("${failure.file}" not found): ${hint}`,
    );
  }
  if (failure.spawnCode === 'EACCES') {
    return new WireGuardError('permission-denied', `not allowed to run "${failure.file}" (EACCES)`);
  }
  if (failure.timedOut) {
    return new WireGuardError('timeout', `"${command}" did not finish in time`);
  }
  if (PERMISSION_PATTERNS.some((pattern) => pattern.test(failure.stderr))) {
    return new WireGuardError(
      'permission-denied',
      `not enough privilege to manage the WireGuard interface ("${command}": ${stderr}); ` +
        'run LANrage as root or grant it CAP_NET_ADMIN',
    );
  }
  return new WireGuardError(
    'command-failed',
    `"${command}" failed (exit ${failure.exitCode ?? 'signal'}): ${stderr || 'no error output'}`,
  );
}
