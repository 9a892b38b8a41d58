import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LanrageErrorCode } from '../../src-shared/domain/lanrage-error.js';

/**
 * How the desktop app, running as the normal user, gets its one privileged process: the core
 * starts the WireGuard helper (src-main/core/helper/) behind an elevation command — on Linux
 * `pkexec`, with the polkit policy shipped in the package
 * (packaging/linux/io.lanrage.helper.policy). Windows and macOS are designed in
 * docs/privilege.md and not built yet.
 */
export const PKEXEC = '/usr/bin/pkexec';

export type Elevation =
  | { ok: true; helperPath: string | null; helperElevation: string[] }
  | { ok: false; message: string };

/** A pure choice from the facts, so every case is a row in the test. */
export function chooseElevation(facts: {
  platform: NodeJS.Platform;
  isRoot: boolean;
  pkexecInstalled: boolean;
  /** process.resourcesPath in a packaged app; null when run from a checkout (dist/helper). */
  resourcesPath: string | null;
}): Elevation {
  const helperPath =
    facts.resourcesPath === null
      ? null
      : join(
          facts.resourcesPath,
          'helper',
          facts.platform === 'win32' ? 'lanrage-helper.exe' : 'lanrage-helper',
        );
  if (facts.isRoot) return { ok: true, helperPath, helperElevation: [] };
  if (facts.platform !== 'linux') {
    return {
      ok: false,
      message:
        'Starting the LANrage network helper on this system (a Windows service or a macOS privileged helper) is not built yet. Run LANrage from a terminal as an administrator with a web UI: lanrage up --ui 7480.',
    };
  }
  if (!facts.pkexecInstalled) {
    return {
      ok: false,
      message:
        'pkexec is not installed (package pkexec or policykit-1), so LANrage cannot ask for permission to create its network interface.',
    };
  }
  return { ok: true, helperPath, helperElevation: [PKEXEC] };
}

export function currentElevation(resourcesPath: string | null): Elevation {
  return chooseElevation({
    platform: process.platform,
    isRoot: process.getuid?.() === 0,
    pkexecInstalled: existsSync(PKEXEC),
    resourcesPath,
  });
}

/** What the window says when the core could not start, for the codes about privilege. */
export const PRIVILEGE_MESSAGES: Partial<Record<LanrageErrorCode, string>> = {
  'no-privilege':
    'LANrage needs permission to create its network interface, and it was not given (the prompt was cancelled or the password refused). Quit and open LANrage again to be asked again.',
  'no-wireguard':
    'The LANrage network helper is missing from this installation; reinstall LANrage.',
};
