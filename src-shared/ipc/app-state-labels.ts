import type { AppState } from './contract.js';

/**
 * What the window badge and the tray tooltip say for each overall state. One table, so the tray
 * and the window never disagree. "Not in a party" rather than "Disconnected": until the user
 * creates or joins a party there is nothing to be connected to, and nothing is wrong.
 */
export const APP_STATE_LABELS: Readonly<Record<AppState, string>> = {
  disconnected: 'Not in a party',
  connecting: 'Connecting…',
  connected: 'Connected',
  degraded: 'Connected, some peers slow',
};
