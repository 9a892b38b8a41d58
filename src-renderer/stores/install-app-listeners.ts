import type { StoreApi } from 'zustand';
import type { LanrageBridge, Unsubscribe } from '../../src-shared/ipc/contract';
import type { AppStore } from './app-store';

/** Long enough for a cold Electron main or a busy headless core; short enough to tell the user. */
export const SERVICE_ANSWER_TIMEOUT_MS = 5_000;

export interface InstallOptions {
  /** Injected so tests control time; defaults to the window's timers. */
  setTimer?: (run: () => void, ms: number) => () => void;
}

const defaultTimer = (run: () => void, ms: number) => {
  const id = setTimeout(run, ms);
  return () => clearTimeout(id);
};

/**
 * Wires the bridge's pushes into the app store, once, at start-up, outside React.
 * With no bridge (a plain browser), the store says so instead of the page crashing.
 * Returns a function that removes every listener it added.
 */
export function installAppListeners(
  bridge: LanrageBridge | undefined,
  store: StoreApi<AppStore>,
  options: InstallOptions = {},
): Unsubscribe {
  const actions = store.getState();
  if (bridge === undefined) {
    actions.serviceAbsent();
    return () => undefined;
  }
  actions.serviceFound({ party: Object.hasOwn(bridge, 'party') });
  const stopState = bridge.app.onState(({ state, problem }) =>
    store.getState().stateChanged(state, problem ?? null),
  );

  let settled = false;
  const cancelTimer = (options.setTimer ?? defaultTimer)(() => {
    if (settled) return;
    settled = true;
    store.getState().serviceFailed('The LANrage service did not answer.');
  }, SERVICE_ANSWER_TIMEOUT_MS);
  bridge.app.info().then(
    (info) => {
      settled = true;
      cancelTimer();
      store.getState().infoReceived(info);
    },
    (error: unknown) => {
      if (settled) return;
      settled = true;
      cancelTimer();
      store.getState().serviceFailed(error instanceof Error ? error.message : String(error));
    },
  );
  return () => {
    cancelTimer();
    stopState();
  };
}
