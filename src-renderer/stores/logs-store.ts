import { createStore, useStore } from 'zustand';

/** The logs domain: the core's recent lines as last fetched. */
export interface LogsStore {
  lines: readonly string[] | null;
  error: string | null;
  loaded(lines: readonly string[]): void;
  failed(message: string): void;
}

export const logsStore = createStore<LogsStore>()((set) => ({
  lines: null,
  error: null,
  loaded: (lines) => set({ lines, error: null }),
  failed: (error) => set({ error }),
}));

export function useLogsStore<T>(selector: (s: LogsStore) => T): T {
  return useStore(logsStore, selector);
}
