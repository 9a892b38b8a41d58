import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './support/paths.js';

/**
 * The UI tests test what ships: build the shell (main, preload, assets, renderer) and the
 * helper for every packaged OS/arch (package-contents.e2e.ts checks what electron-builder would
 * copy) from the current sources once before any test file runs. Seconds with Go's build cache;
 * servers and CLI are not needed.
 */
export default function setup(): void {
  const result = spawnSync(
    process.execPath,
    [
      join(REPO_ROOT, 'scripts', 'build.mjs'),
      '--only',
      'main,preload,assets,renderer,helper',
      '--helper-targets',
      'all',
    ],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new Error(`build for UI tests failed:\n${result.stdout}\n${result.stderr}`);
  }
}
