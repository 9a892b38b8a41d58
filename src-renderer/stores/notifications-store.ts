import { createStore, useStore } from 'zustand';
import { NOTICE_KINDS, type Notice, type NoticeKind } from '../notifications/notice-rules';

/**
 * The notifications domain: which kinds the user wants (kept in localStorage, per browser or
 * per app install) and the in-app toasts on screen.
 */
export const PREFS_KEY = 'lanrage.notifications';
/** Long enough to read one line; short enough that a burst clears itself. */
export const TOAST_MS = 6_000;
/** More than this on screen at once and the oldest go: a party of 32 joining is one glance. */
export const MAX_TOASTS = 4;

export type NoticePrefs = Readonly<Record<NoticeKind, boolean>>;

export interface Toast extends Notice {
  id: number;
}

export interface NotificationsStore {
  prefs: NoticePrefs;
  toasts: readonly Toast[];
  setPref(kind: NoticeKind, on: boolean): void;
  showToast(notice: Notice): number;
  dismiss(id: number): void;
}

export const ALL_ON: NoticePrefs = Object.fromEntries(
  NOTICE_KINDS.map((k) => [k, true]),
) as NoticePrefs;

export function readPrefs(storage: Pick<Storage, 'getItem'> | undefined): NoticePrefs {
  try {
    const saved = JSON.parse(storage?.getItem(PREFS_KEY) ?? '{}') as Record<string, unknown>;
    return Object.fromEntries(
      NOTICE_KINDS.map((k) => [k, typeof saved[k] === 'boolean' ? saved[k] : true]),
    ) as NoticePrefs;
  } catch {
    return ALL_ON;
  }
}

/**
 * Each toast leaves TOAST_MS after it was shown, on its own timer: timers restarted whenever the
 * list changes would keep the first toast of a stream of joins on screen for as long as it lasts.
 */
export type SetTimer = (run: () => void, ms: number) => void;
const REAL_SET_TIMER: SetTimer = (run, ms) => void setTimeout(run, ms);

export function createNotificationsStore(
  storage?: Pick<Storage, 'getItem' | 'setItem'>,
  setTimer: SetTimer = REAL_SET_TIMER,
) {
  let nextId = 1;
  return createStore<NotificationsStore>()((set, get) => ({
    prefs: readPrefs(storage),
    toasts: [],
    setPref: (kind, on) => {
      const prefs = { ...get().prefs, [kind]: on };
      storage?.setItem(PREFS_KEY, JSON.stringify(prefs));
      set({ prefs });
    },
    showToast: (notice) => {
      const id = nextId++;
      set({ toasts: [...get().toasts, { ...notice, id }].slice(-MAX_TOASTS) });
      setTimer(() => get().dismiss(id), TOAST_MS);
      return id;
    },
    dismiss: (id) => {
      // A toast already dismissed or pushed out by newer ones: nothing to change.
      if (get().toasts.some((t) => t.id === id))
        set({ toasts: get().toasts.filter((t) => t.id !== id) });
    },
  }));
}

export const notificationsStore = createNotificationsStore(
  typeof localStorage === 'undefined' ? undefined : localStorage,
);

export function useNotificationsStore<T>(selector: (s: NotificationsStore) => T): T {
  return useStore(notificationsStore, selector);
}
