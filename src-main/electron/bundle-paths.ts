import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Where the shell finds its files, relative to the main bundle. scripts/build.mjs lays out:
 *
 *   dist/main/electron-main.cjs   this code (CommonJS: Electron's main entry)
 *   dist/main/preload.cjs         the preload (CommonJS: sandboxed preloads cannot be ESM)
 *   dist/renderer/index.html      the UI (vite build)
 *   dist/assets/                  icons the shell loads at run time (tray, window)
 *
 * Relative paths keep working inside the packaged app.asar as well as from a checkout.
 */
export interface BundlePaths {
  preload: string;
  rendererHtml: string;
  rendererUrl: string;
  assetsDir: string;
  windowIcon: string;
}

export function bundlePaths(mainBundleDir: string): BundlePaths {
  const rendererHtml = join(mainBundleDir, '..', 'renderer', 'index.html');
  const assetsDir = join(mainBundleDir, '..', 'assets');
  return {
    preload: join(mainBundleDir, 'preload.cjs'),
    rendererHtml,
    rendererUrl: pathToFileURL(rendererHtml).href,
    assetsDir,
    windowIcon: join(assetsDir, 'icon.png'),
  };
}
