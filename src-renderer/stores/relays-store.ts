import { createStore, useStore } from 'zustand';
import type { RelayStatus } from '../../src-shared/domain/core-status';

/** The relays domain: the list with measured latency, a measurement or switch in flight, errors. */
export interface RelaysStore {
  relays: readonly RelayStatus[] | null;
  loading: boolean;
  error: string | null;
  loaded(relays: readonly RelayStatus[]): void;
  started(): void;
  failed(message: string): void;
}

export const relaysStore = createStore<RelaysStore>()((set) => ({
  relays: null,
  loading: false,
  error: null,
  loaded: (relays) => set({ relays, loading: false, error: null }),
  started: () => set({ loading: true, error: null }),
  failed: (error) => set({ loading: false, error }),
}));

export function useRelaysStore<T>(selector: (s: RelaysStore) => T): T {
  return useStore(relaysStore, selector);
}

/** Pinned by hand, or chosen by latency (no relay pinned). */
export const selectAutomatic = (s: Pick<RelaysStore, 'relays'>) =>
  !(s.relays ?? []).some((r) => r.pinned);
