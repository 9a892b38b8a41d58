import { app, BrowserWindow, clipboard, dialog, ipcMain, session } from 'electron';
import type { CoreStatus } from '../../src-shared/domain/core-status.js';
import { LanrageService } from '../service/lanrage-service.js';
import { LogRing } from '../service/log-ring.js';
import { bundlePaths } from './bundle-paths.js';
import { loadAppSettings, startHostedCore, type HostedCore } from './core-host.js';
import { publishEvent, registerIpcHandlers } from './ipc-main.js';
import { createMainWindow, hardenWebContents } from './main-window.js';
import { createTrayController, type TrayController } from './tray-controller.js';
import type { TrayAction } from './tray-menu-model.js';
import { checkIpcSender } from './trusted-ipc-sender.js';

/**
 * Electron main: a thin shell around the connection core. It owns the window, the tray and the
 * IPC handlers; the core (src-main/core) never imports electron, and the handlers are the same
 * LanrageService the web mode and `lanrage status` use.
 *
 * Closing the window hides it: the party stays up from the tray, like any VPN client. Quit (tray
 * or the OS) leaves the party and removes the interface before the process ends.
 */

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
  let hosted: HostedCore | null = null;
  let quitting = false;
  let stopped = false;
  let lastStatus: CoreStatus | null = null;
  let problem: string | null = null;

  const logs = new LogRing();
  const { config, configPath, settings } = loadAppSettings(app.getPath('userData'));
  const service = new LanrageService({
    info: {
      name: app.getName(),
      version: app.getVersion(),
      platform: process.platform,
      mode: 'electron',
    },
    settings,
    logs,
  });
  // The tray follows the same pushes as the window.
  service.subscribe((channel, payload) => {
    if (channel === 'party:status') lastStatus = payload as CoreStatus;
    if (channel === 'app:state') {
      problem = (payload as { problem?: string | null }).problem ?? null;
      if (problem !== null) lastStatus = null;
    }
    tray?.update(lastStatus, problem);
  });

  const showWindow = (view?: 'party' | 'peers' | 'settings' | 'logs') => {
    if (window === null || window.isDestroyed()) window = openWindow();
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
    if (view) publishEvent(window.webContents, 'app:navigate', { view });
  };

  const openWindow = (): BrowserWindow => {
    const created = createMainWindow(paths);
    created.on('close', (event) => {
      if (quitting) return;
      event.preventDefault();
      created.hide();
    });
    const unsubscribe = service.subscribe((channel, payload) =>
      publishEvent(created.webContents, channel, payload),
    );
    created.on('closed', unsubscribe);
    // Every (re)load gets the current state: the renderer subscribes before this fires.
    created.webContents.on('did-finish-load', () => {
      publishEvent(created.webContents, 'app:state', service.currentState());
      if (hosted?.core) publishEvent(created.webContents, 'party:status', hosted.core.status());
    });
    return created;
  };

  const act = (action: TrayAction) => {
    switch (action) {
      case 'open':
        return showWindow();
      case 'all-peers':
        return showWindow('peers');
      case 'settings':
        return showWindow('settings');
      case 'copy-invite':
        if (lastStatus?.party) clipboard.writeText(lastStatus.party.inviteCode);
        return;
      case 'leave':
        void dialog
          .showMessageBox({
            type: 'question',
            buttons: ['Leave party', 'Stay'],
            defaultId: 1,
            cancelId: 1,
            message: `Leave "${lastStatus?.party?.name ?? 'the party'}"?`,
            detail: 'Everyone in the party loses the connection to you.',
          })
          .then(({ response }) => {
            if (response === 0) void service.handlers['party:leave'](undefined);
          });
        return;
      case 'quit':
        app.quit();
        return;
    }
  };

  app.on('second-instance', () => showWindow());
  app.on('activate', () => showWindow());
  app.on('before-quit', (event) => {
    quitting = true;
    if (stopped) return;
    // Leave the party and remove the interface first; then quit for real.
    event.preventDefault();
    stopped = true;
    void (hosted?.stop() ?? Promise.resolve())
      .catch((error: unknown) => log.warn(`clean-up failed: ${String(error)}`))
      .finally(() => {
        service.stop();
        tray?.destroy();
        app.quit();
      });
  });
  // Stay in the tray when the window is gone; only an explicit quit ends the app.
  app.on('window-all-closed', () => undefined);
  app.on('web-contents-created', (_event, contents) =>
    hardenWebContents(contents, paths.rendererUrl),
  );

  void app.whenReady().then(async () => {
    // Only OS notifications (peer joined/left, moved to a relay…) are granted, and only to our page.
    session.defaultSession.setPermissionRequestHandler((contents, permission, grant) =>
      grant(permission === 'notifications' && contents.getURL().startsWith(paths.rendererUrl)),
    );
    registerIpcHandlers({
      ipcMain,
      handlers: service.handlers,
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
    tray = createTrayController(paths.assetsDir, act, () => showWindow());
    hosted = await startHostedCore({
      userDataDir: app.getPath('userData'),
      config,
      configPath,
      service,
      logs,
      resourcesPath: app.isPackaged ? process.resourcesPath : null,
    });
  });
}

start();
