import { createStore, useStore } from 'zustand';
import type { SettingsView } from '../../src-shared/ipc/contract';

/** The settings domain: what is saved, a save in flight, and the answer (refusal or restart note). */
export interface SettingsStore {
  view: SettingsView | null;
  saving: boolean;
  error: string | null;
  saved: boolean;
  loaded(view: SettingsView): void;
  saveStarted(): void;
  saveDone(view: SettingsView): void;
  failed(message: string): void;
}

export const settingsStore = createStore<SettingsStore>()((set) => ({
  view: null,
  saving: false,
  error: null,
  saved: false,
  loaded: (view) => set({ view, error: null }),
  saveStarted: () => set({ saving: true, error: null, saved: false }),
  saveDone: (view) => set({ view, saving: false, saved: true }),
  failed: (error) => set({ saving: false, error, saved: false }),
}));

export function useSettingsStore<T>(selector: (s: SettingsStore) => T): T {
  return useStore(settingsStore, selector);
}
