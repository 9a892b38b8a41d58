import { access, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { LanrageError } from '../../src-shared/domain/lanrage-error.js';

/**
 * What `lanrage up` checks before it talks to anyone, so a missing tool or privilege is a clear
 * error at once rather than a failure after the party was joined.
 */
export class PreflightError extends LanrageError {
  constructor(message: string, code: 'no-wireguard' | 'no-privilege') {
    super(code, message);
    this.name = 'PreflightError';
  }
}

async function onPath(tool: string): Promise<boolean> {
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

export async function preflight(): Promise<void> {
  if (!(await onPath('wg'))) {
    throw new PreflightError(
      'no WireGuard on this machine: `wg` is missing (install wireguard-tools)',
      'no-wireguard',
    );
  }
  const kernel = await access('/sys/module/wireguard', constants.F_OK).then(
    () => true,
    () => false,
  );
  if (!kernel && !(await onPath('wireguard-go'))) {
    throw new PreflightError(
      'no WireGuard on this machine: the kernel has no wireguard module and wireguard-go is missing (install wireguard-go)',
      'no-wireguard',
    );
  }
  if (!(await hasNetAdmin())) {
    throw new PreflightError(
      'not enough privilege to create the WireGuard interface: run as root (sudo lanrage up …) or give node CAP_NET_ADMIN',
      'no-privilege',
    );
  }
}
