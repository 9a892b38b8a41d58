import { createStore, useStore } from 'zustand';

/** Which view the window shows. Changed by the tabs, and by main (tray "Settings…"). */
export const VIEWS = ['party', 'peers', 'settings', 'logs'] as const;
export type View = (typeof VIEWS)[number];

export interface ViewStore {
  view: View;
  show(view: View): void;
}

export const viewStore = createStore<ViewStore>()((set) => ({
  view: 'party',
  show: (view) => set({ view }),
}));

export function useViewStore<T>(selector: (s: ViewStore) => T): T {
  return useStore(viewStore, selector);
}
