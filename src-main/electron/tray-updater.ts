import { modelKey, type TrayModel } from './tray-menu-model.js';

/**
 * When the tray is rebuilt. Electron cannot change an open menu, and setting a new one closes
 * it; so a new model is rendered only when it differs from the one on screen, at most once per
 * TRAY_REBUILD_THROTTLE_MS (trailing: the latest always arrives), and never while the menu is
 * open — a change then waits for `menu-will-close` (or MENU_OPEN_LIMIT_MS).
 */
/** Half a second: latency lines look live, and a burst of pushes costs one rebuild. */
export const TRAY_REBUILD_THROTTLE_MS = 500;
/**
 * A menu reported open this long without `menu-will-close` is taken as closed. Some Linux tray
 * hosts (AppIndicator / StatusNotifier) never send the close, and a menu nobody closes would
 * otherwise freeze every line on its last value; no one reads a tray menu for a minute.
 */
export const MENU_OPEN_LIMIT_MS = 60_000;

export interface UpdaterTimers {
  now(): number;
  setTimer(run: () => void, ms: number): () => void;
}

export class TrayUpdater {
  private shownKey: string | null = null;
  private latest: TrayModel | null = null;
  private lastRender = -Infinity;
  private menuOpen = false;
  private cancel: (() => void) | null = null;
  private cancelOpenLimit: (() => void) | null = null;

  constructor(
    private readonly render: (model: TrayModel) => void,
    private readonly timers: UpdaterTimers,
  ) {}

  update(model: TrayModel): void {
    this.latest = model;
    this.schedule();
  }

  menuWillShow(): void {
    this.menuOpen = true;
    this.cancelOpenLimit?.();
    this.cancelOpenLimit = this.timers.setTimer(() => {
      this.cancelOpenLimit = null;
      this.menuWillClose();
    }, MENU_OPEN_LIMIT_MS);
  }

  menuWillClose(): void {
    this.cancelOpenLimit?.();
    this.cancelOpenLimit = null;
    this.menuOpen = false;
    this.schedule();
  }

  stop(): void {
    this.cancel?.();
    this.cancel = null;
    this.cancelOpenLimit?.();
    this.cancelOpenLimit = null;
  }

  private schedule(): void {
    if (this.cancel || this.menuOpen || this.latest === null) return;
    if (modelKey(this.latest) === this.shownKey) return;
    const wait = this.lastRender + TRAY_REBUILD_THROTTLE_MS - this.timers.now();
    if (wait <= 0) this.flush();
    else this.cancel = this.timers.setTimer(() => this.flush(), wait);
  }

  private flush(): void {
    this.cancel = null;
    if (this.menuOpen || this.latest === null) return;
    const key = modelKey(this.latest);
    if (key === this.shownKey) return;
    this.shownKey = key;
    this.lastRender = this.timers.now();
    this.render(this.latest);
  }
}
