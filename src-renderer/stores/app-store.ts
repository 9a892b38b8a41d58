import { createStore, useStore, type StoreApi } from 'zustand';
import { APP_STATE_LABELS } from '../../src-shared/ipc/app-state-labels';
import type { AppInfo, AppState } from '../../src-shared/ipc/contract';

/**
 * The app domain: is a LANrage service behind this window, what is it, and the overall state.
 * Fed only by install-app-listeners.ts; components read it through the selectors below.
 */

/**
 * - `starting`: the bridge exists and the first answer has not arrived yet.
 * - `absent`: no bridge at all (the page opened in a plain browser with no core behind it).
 * - `ready`: the service answered `app:info`.
 * - `failed`: a bridge exists but the service did not answer within the contract.
 */
export type ServiceLink = 'starting' | 'absent' | 'ready' | 'failed';

export interface AppStoreState {
  service: ServiceLink;
  info: AppInfo | null;
  state: AppState;
  /** Why the service link failed, for the user; null otherwise. */
  error: string | null;
  /** Whether the service offers party commands (the `party` area of the bridge). */
  partySupported: boolean;
  /** Why the service cannot run a party (helper refused, control server unreachable…). */
  problem: string | null;
}

export interface AppStoreActions {
  serviceAbsent(): void;
  serviceFound(capabilities: { party: boolean }): void;
  infoReceived(info: AppInfo): void;
  serviceFailed(error: string): void;
  stateChanged(state: AppState, problem?: string | null): void;
}

export type AppStore = AppStoreState & AppStoreActions;

export const INITIAL_APP_STATE: AppStoreState = {
  service: 'starting',
  info: null,
  state: 'disconnected',
  error: null,
  partySupported: false,
  problem: null,
};

export function createAppStore(): StoreApi<AppStore> {
  return createStore<AppStore>()((set) => ({
    ...INITIAL_APP_STATE,
    serviceAbsent: () => set({ service: 'absent', info: null, error: null, partySupported: false }),
    serviceFound: ({ party }) => set({ service: 'starting', partySupported: party }),
    infoReceived: (info) => set({ service: 'ready', info, error: null }),
    serviceFailed: (error) => set({ service: 'failed', error }),
    stateChanged: (state, problem = null) => set({ state, problem }),
  }));
}

/** The one app store of the window. */
export const appStore = createAppStore();

export function useAppStore<T>(selector: (store: AppStore) => T): T {
  return useStore(appStore, selector);
}

// ---- Selectors: plain functions of the state, so they are tested without React. ----

export const selectService = (s: AppStoreState): ServiceLink => s.service;
export const selectInfo = (s: AppStoreState): AppInfo | null => s.info;
export const selectError = (s: AppStoreState): string | null => s.error;
export const selectProblem = (s: AppStoreState): string | null => s.problem;

/** The badge: the connection state when a service is there, else what is wrong with the link. */
export function selectBadge(s: AppStoreState): { tone: AppState | 'offline'; label: string } {
  switch (s.service) {
    case 'absent':
      return { tone: 'offline', label: 'No service' };
    case 'failed':
      return { tone: 'offline', label: 'Service error' };
    case 'starting':
      return { tone: 'connecting', label: 'Starting…' };
    case 'ready':
      return { tone: s.state, label: APP_STATE_LABELS[s.state] };
  }
}

export const PARTY_NEEDS_SERVICE = 'Requires the LANrage service';
export const PARTY_NEEDS_CONNECTION_CORE =
  'Requires the LANrage connection service, which this build does not include';

/** Why Create/Join are disabled, or null when they can be used. */
export function selectPartyBlockedReason(s: AppStoreState): string | null {
  if (s.service !== 'ready') return PARTY_NEEDS_SERVICE;
  if (!s.partySupported) return PARTY_NEEDS_CONNECTION_CORE;
  return null;
}
