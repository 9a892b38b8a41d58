import type { LanrageBridge } from '../src-shared/ipc/contract';

declare global {
  interface Window {
    /** Set by the Electron preload (or, later, the web-mode bridge); absent in a bare browser. */
    readonly lanrage?: LanrageBridge;
  }
}
