import { access, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { LanrageError } from '../../src-shared/domain/lanrage-error.js';
import { resolveHelperPath } from '../core/helper/helper-process.js';

/**
 * What `lanrage up` checks before it talks to anyone, so a missing helper or privilege is a clear
 * error at once rather than a failure after the party was joined.
 */
export class PreflightError extends LanrageError {
  constructor(message: string, code: 'no-wireguard' | 'no-privilege') {
    super(code, message);
    this.name = 'PreflightError';
  }
}

async function onPath(tool: string): Promise<boolean> {
  if (isAbsolute(tool))
    return access(tool, constants.X_OK).then(
      () => true,
      () => false,
    );
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      await access(join(dir, tool), constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}

/** CAP_NET_ADMIN (bit 12) in the effective set: what creating an interface needs. */
async function hasNetAdmin(): Promise<boolean> {
  if (process.getuid?.() === 0) return true;
  try {
    const status = await readFile('/proc/self/status', 'utf8');
    const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
    return hex !== undefined && (BigInt(`0x${hex}`) & (1n << 12n)) !== 0n;
  } catch {
    return false;
  }
}

export interface PreflightOptions {
  helperPath: string | null;
  /** Words that start the helper privileged (config helperElevation); empty: we need privilege. */
  helperElevation: readonly string[];
}

export async function preflight(o: PreflightOptions): Promise<void> {
  try {
    resolveHelperPath(o.helperPath);
  } catch (error) {
    throw new PreflightError((error as Error).message, 'no-wireguard');
  }
  const [elevate] = o.helperElevation;
  if (elevate !== undefined) {
    if (!(await onPath(elevate))) {
      throw new PreflightError(
        `the helper elevation command "${elevate}" is not installed (--helper-elevation)`,
        'no-privilege',
      );
    }
    return;
  }
  if (!(await hasNetAdmin())) {
    throw new PreflightError(
      'not enough privilege to create the WireGuard interface: run as root (sudo lanrage up …), ' +
        'or start only the helper with privilege: --helper-elevation "sudo -n" (or "pkexec")',
      'no-privilege',
    );
  }
}
