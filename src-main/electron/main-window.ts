import { BrowserWindow, shell, type WebContents } from 'electron';
import type { BundlePaths } from './bundle-paths.js';
import { isSameDocument } from './trusted-ipc-sender.js';

/** Matches --lr-bg in src-renderer/styles.css, so the window does not flash white while loading. */
const WINDOW_BACKGROUND = '#0f1120';
/** Big enough for the party list beside the peer table without scrolling on a 1366×768 laptop. */
const DEFAULT_SIZE = { width: 1040, height: 700 };
const MIN_SIZE = { width: 720, height: 480 };

/** Links the UI may open in the user's browser; everything else is refused. */
const EXTERNAL_URL_ALLOWLIST = ['https://github.com/lanrage/'];

export function isAllowedExternalUrl(url: string): boolean {
  return EXTERNAL_URL_ALLOWLIST.some((prefix) => url.startsWith(prefix));
}

/**
 * The one window. Electron's security checklist, all of it: isolated, sandboxed, no Node, web
 * security on, no new windows, no navigation away from our page, no webviews.
 */
export function createMainWindow(paths: BundlePaths): BrowserWindow {
  const window = new BrowserWindow({
    ...DEFAULT_SIZE,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    title: 'LANrage',
    icon: paths.windowIcon,
    backgroundColor: WINDOW_BACKGROUND,
    show: false,
    webPreferences: {
      preload: paths.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  // hardenWebContents already ran for this webContents: electron-main.ts applies it to every
  // webContents from 'web-contents-created', which fires inside the constructor above.
  window.once('ready-to-show', () => window.show());
  void window.loadFile(paths.rendererHtml);
  return window;
}

/** Applied to every webContents the app creates (app 'web-contents-created'), not just ours. */
export function hardenWebContents(contents: WebContents, rendererUrl: string): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => {
    if (!isSameDocument(event.url, rendererUrl)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isSameDocument(event.url, rendererUrl)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
