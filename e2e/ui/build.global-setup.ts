import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './support/paths.js';

/**
 * The UI tests test what ships: build the shell (main, preload, assets, renderer) from the
 * current sources once before any test file runs. A few seconds; servers and CLI are not needed.
 */
export default function setup(): void {
  const result = spawnSync(
    process.execPath,
    [join(REPO_ROOT, 'scripts', 'build.mjs'), '--only', 'main,preload,assets,renderer'],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new Error(`build for UI tests failed:\n${result.stdout}\n${result.stderr}`);
  }
}
