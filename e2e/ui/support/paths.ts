import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
export const DIST = join(REPO_ROOT, 'dist');
export const RENDERER_DIR = join(DIST, 'renderer');
export const ASSETS_DIR = join(REPO_ROOT, 'assets');
export const SCREENSHOTS_DIR = join(REPO_ROOT, 'e2e', 'screenshots');
