import { join } from 'node:path';
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';
import type { CoreStatus } from '../../src-shared/domain/core-status.js';
import { trayModel, type TrayAction, type TrayModel } from './tray-menu-model.js';
import { TrayUpdater } from './tray-updater.js';

export interface TrayController {
  update(status: CoreStatus | null, problem: string | null): void;
  destroy(): void;
}

/**
 * Renders the tray model (tray-menu-model.ts) with Electron; TrayUpdater decides when. The menu's
 * open/close events feed the updater, so an open menu is never replaced under the pointer.
 */
export function createTrayController(
  assetsDir: string,
  act: (action: TrayAction) => void,
  onClick: () => void,
): TrayController {
  const initial = trayModel(null);
  const tray = new Tray(nativeImage.createFromPath(join(assetsDir, initial.icon)));
  const render = (model: TrayModel) => {
    tray.setImage(nativeImage.createFromPath(join(assetsDir, model.icon)));
    tray.setToolTip(model.tooltip);
    const template: MenuItemConstructorOptions[] = model.items.map((item) =>
      item.kind === 'separator'
        ? { type: 'separator' }
        : item.kind === 'label'
          ? { label: item.label, enabled: false }
          : { label: item.label, click: () => act(item.action) },
    );
    const menu = Menu.buildFromTemplate(template);
    menu.on('menu-will-show', () => updater.menuWillShow());
    menu.on('menu-will-close', () => updater.menuWillClose());
    tray.setContextMenu(menu);
  };
  // render runs only after construction (update() below), so `updater` is set by then.
  const updater: TrayUpdater = new TrayUpdater(render, {
    now: () => performance.now(),
    setTimer: (run, ms) => {
      const id = setTimeout(run, ms);
      return () => clearTimeout(id);
    },
  });
  updater.update(initial);
  // Linux panels without a context-menu-on-left-click convention deliver 'click' instead.
  tray.on('click', onClick);
  return {
    update: (status, problem) => updater.update(trayModel(status, problem)),
    destroy: () => {
      updater.stop();
      tray.destroy();
    },
  };
}
