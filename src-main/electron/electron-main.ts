import { app, BrowserWindow, ipcMain, session } from 'electron';
import type { AppState } from '../../src-shared/ipc/contract.js';
import { bundlePaths } from './bundle-paths.js';
import { publishEvent, registerIpcHandlers } from './ipc-main.js';
import { createMainWindow, hardenWebContents } from './main-window.js';
import { createTrayController, type TrayController } from './tray-controller.js';
import { checkIpcSender } from './trusted-ipc-sender.js';

/**
 * Electron main: a thin shell. It owns the window, the tray and the IPC handlers; the connection
 * core (src-main/core) never imports electron and will be created here once it lands.
 *
 * Closing the window hides it: LANrage keeps the party up from the tray, like any VPN client.
 * Quit from the tray menu (or the OS's quit) really quits.
 */

// Until the connection core is wired in there is no party, so the state is honestly this.
const appState: AppState = 'disconnected';

// This bundle is CommonJS (dist/main/electron-main.cjs), so __dirname is dist/main.
const paths = bundlePaths(__dirname);
const log = {
  warn: (message: string) => console.warn(`[lanrage main] ${message}`),
};

function start(): void {
  if (!app.requestSingleInstanceLock()) {
    // A second launch only brings the first instance's window forward ('second-instance').
    app.quit();
    return;
  }
  app.enableSandbox();

  let window: BrowserWindow | null = null;
  let tray: TrayController | null = null;
  let quitting = false;

  const showWindow = () => {
    if (window === null || window.isDestroyed()) window = openWindow();
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  };

  const openWindow = (): BrowserWindow => {
    const created = createMainWindow(paths);
    created.on('close', (event) => {
      if (quitting) return;
      event.preventDefault();
      created.hide();
    });
    // Every (re)load gets the current state: the renderer subscribes before this fires.
    created.webContents.on('did-finish-load', () =>
      publishEvent(created.webContents, 'app:state', { state: appState }),
    );
    return created;
  };

  app.on('second-instance', showWindow);
  app.on('activate', showWindow);
  app.on('before-quit', () => {
    quitting = true;
  });
  // Stay in the tray when the window is gone; only an explicit quit ends the app.
  app.on('window-all-closed', () => undefined);
  app.on('web-contents-created', (_event, contents) =>
    hardenWebContents(contents, paths.rendererUrl),
  );

  void app.whenReady().then(() => {
    // The UI needs no camera, microphone, notifications prompt or geolocation.
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, grant) =>
      grant(false),
    );
    registerIpcHandlers({
      ipcMain,
      handlers: {
        'app:info': () => ({
          name: app.getName(),
          version: app.getVersion(),
          platform: process.platform,
          mode: 'electron',
        }),
      },
      checkSender: (event) =>
        checkIpcSender(event, {
          trustedWebContentsIds: new Set(
            BrowserWindow.getAllWindows().map((open) => open.webContents.id),
          ),
          rendererUrl: paths.rendererUrl,
        }),
      logger: log,
    });
    window = openWindow();
    tray = createTrayController(paths.assetsDir, appState, {
      show: showWindow,
      quit: () => app.quit(),
    });
  });

  app.on('will-quit', () => tray?.destroy());
}

start();
