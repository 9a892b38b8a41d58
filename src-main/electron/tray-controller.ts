import { join } from 'node:path';
import { Menu, Tray, nativeImage } from 'electron';
import { APP_STATE_LABELS } from '../../src-shared/ipc/app-state-labels.js';
import type { AppState } from '../../src-shared/ipc/contract.js';
import { TRAY_ICON_FILES, trayTooltip } from './tray-state.js';

export interface TrayActions {
  show(): void;
  quit(): void;
}

export interface TrayController {
  setState(state: AppState): void;
  destroy(): void;
}

/** The tray icon: overall state as icon and tooltip; a menu with the state, Show and Quit. */
export function createTrayController(
  assetsDir: string,
  initialState: AppState,
  actions: TrayActions,
): TrayController {
  const tray = new Tray(nativeImage.createFromPath(join(assetsDir, TRAY_ICON_FILES[initialState])));
  const render = (state: AppState) => {
    tray.setImage(nativeImage.createFromPath(join(assetsDir, TRAY_ICON_FILES[state])));
    tray.setToolTip(trayTooltip(state));
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: APP_STATE_LABELS[state], enabled: false },
        { type: 'separator' },
        { label: 'Show LANrage', click: actions.show },
        { label: 'Quit LANrage', click: actions.quit },
      ]),
    );
  };
  render(initialState);
  // Linux panels without a context-menu-on-left-click convention deliver 'click' instead.
  tray.on('click', actions.show);
  return { setState: render, destroy: () => tray.destroy() };
}
