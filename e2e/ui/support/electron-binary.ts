import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

export type ElectronBinary = { ok: true; executable: string } | { ok: false; reason: string };

/**
 * The Electron executable the electron package downloaded at install time, as
 * scripts/start-electron.mjs finds it: `require('electron')` in plain Node returns its path and
 * throws when the download never happened (as on machines without network access).
 */
export function findElectronBinary(): ElectronBinary {
  const require = createRequire(join(REPO_ROOT, 'package.json'));
  try {
    const executable: unknown = require('electron');
    if (typeof executable === 'string' && existsSync(executable)) return { ok: true, executable };
    return { ok: false, reason: `the Electron binary ${String(executable)} does not exist` };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { ok: false, reason: `the Electron binary is not installed (${message})` };
  }
}
