import { requireRoot } from './exec.js';
import { teardownLab } from './teardown.js';

/** Before the lab suite: refuse without root, and clear whatever a crashed earlier run left. */
export default async function setup(): Promise<void> {
  requireRoot();
  const left = await teardownLab();
  if (left.namespaces.length > 0) {
    process.stderr.write(
      `lab: removed ${left.namespaces.length} namespaces left by an earlier run\n`,
    );
  }
}
