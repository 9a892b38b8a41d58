import type { LanrageBridge } from '../src-shared/ipc/contract';

/**
 * The one bridge of this window: the Electron preload's `window.lanrage`, or the web-mode
 * WebSocket bridge. Set once at start-up (main.tsx); actions reach the core only through it.
 */
let current: LanrageBridge | null = null;

export function setBridge(bridge: LanrageBridge | null): void {
  current = bridge;
}

export function bridge(): LanrageBridge {
  if (current === null) throw new Error('No LANrage service is connected to this window.');
  return current;
}
