import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Starting the one privileged process of LANrage from the desktop app, which runs as the normal
 * user. On Linux: `pkexec` + the polkit policy shipped in the package
 * (packaging/linux/io.lanrage.helper.policy); Windows and macOS are designed in docs/privilege.md.
 *
 * The helper itself (TUN + wireguard-go + the public UDP socket, branch `helper`, issue 7) is the
 * process launched here; the core drives it through its TypeScript driver over a local socket.
 * Until it is on main, the core still configures WireGuard itself and so must run as root:
 * acquirePrivilege (core-host.ts) is the one call that changes when the driver lands.
 */
export const PKEXEC = '/usr/bin/pkexec';

/** pkexec's own exit codes (pkexec(1)): the prompt was dismissed, or authorisation failed. */
const PKEXEC_DISMISSED = 126;
const PKEXEC_NOT_AUTHORISED = 127;

/** How long the user has to answer the password prompt before we give up waiting. */
export const HELPER_START_TIMEOUT_MS = 120_000;

export type HelperStart =
  | { ok: true; child: ChildProcess }
  | { ok: false; reason: 'dismissed' | 'not-authorised' | 'missing' | 'failed'; message: string };

/** What the user reads when starting the helper did not work — never a stack trace. */
export function helperFailureMessage(code: number | null, helperPath: string): HelperStart {
  if (code === PKEXEC_DISMISSED) {
    return {
      ok: false,
      reason: 'dismissed',
      message:
        'LANrage needs permission to create its network interface, and the request was cancelled. Choose "Try again" to be asked again.',
    };
  }
  if (code === PKEXEC_NOT_AUTHORISED) {
    return {
      ok: false,
      reason: 'not-authorised',
      message:
        'Your system did not allow LANrage to create its network interface (wrong password, or no administrator rights on this account).',
    };
  }
  return {
    ok: false,
    reason: 'failed',
    message: `The LANrage network helper (${helperPath}) stopped at start with code ${code ?? 'unknown'}. See Logs for details.`,
  };
}

/**
 * Runs the helper through pkexec. Resolves when the helper says it is ready (its first stdout
 * line) or when pkexec exits (refused, cancelled, failed).
 */
export function startHelperWithPkexec(helperPath: string, args: string[]): Promise<HelperStart> {
  if (!existsSync(PKEXEC)) {
    return Promise.resolve({
      ok: false,
      reason: 'missing',
      message:
        'pkexec is not installed (package policykit-1): LANrage cannot ask for permission to create its network interface.',
    });
  }
  if (!existsSync(helperPath)) {
    return Promise.resolve({
      ok: false,
      reason: 'missing',
      message: `The LANrage network helper is missing (${helperPath}); reinstall LANrage.`,
    });
  }
  return new Promise((resolve) => {
    const child = spawn(PKEXEC, [helperPath, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      child.kill();
      resolve({ ok: false, reason: 'dismissed', message: 'No answer to the permission prompt.' });
    }, HELPER_START_TIMEOUT_MS);
    child.stdout.once('data', () => {
      clearTimeout(timer);
      resolve({ ok: true, child });
    });
    child.once('error', () => {
      clearTimeout(timer);
      resolve(helperFailureMessage(null, helperPath));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(helperFailureMessage(code, helperPath));
    });
  });
}
