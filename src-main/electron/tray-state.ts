import { APP_STATE_LABELS } from '../../src-shared/ipc/app-state-labels.js';
import type { AppState } from '../../src-shared/ipc/contract.js';

/**
 * Which tray icon and tooltip each overall state shows. Files live in assets/ (drawn by
 * scripts/make-icons.mjs) and are copied to dist/assets by the build; Electron picks the
 * `@2x` file beside each one on high-DPI screens by itself.
 */
export const TRAY_ICON_FILES: Readonly<Record<AppState, string>> = {
  connected: 'tray-connected.png',
  // Amber with a link missing: "not fully up" — true both while connecting and when degraded.
  connecting: 'tray-degraded.png',
  degraded: 'tray-degraded.png',
  disconnected: 'tray-disconnected.png',
};

export function trayTooltip(state: AppState): string {
  return `LANrage — ${APP_STATE_LABELS[state]}`;
}
