import { describe, expect, it } from 'vitest';
import type { EventChannel, InvokeChannel } from '../../src-shared/ipc/contract';
import { createBridge, type BridgeTransport } from '../../src-shared/ipc/create-bridge';
import { createAppStore } from './app-store';
import { SERVICE_ANSWER_TIMEOUT_MS, installAppListeners } from './install-app-listeners';

const INFO = { name: 'LANrage', version: '0.1.0', platform: 'linux', mode: 'electron' } as const;

/** A real bridge over an in-memory core whose answer to app:info the test decides. */
function coreWith(answer: () => Promise<unknown>) {
  const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();
  const transport: BridgeTransport = {
    invoke: (_channel: InvokeChannel) => answer().then((value) => ({ ok: true, value })),
    subscribe: (channel, listener) => {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener);
      listeners.set(channel, set);
      return () => set.delete(listener);
    },
  };
  const push = (channel: EventChannel, payload: unknown) =>
    listeners.get(channel)?.forEach((listener) => listener(payload));
  return { bridge: createBridge(transport), push, listeners };
}

/** A manual timer: the test fires it, instead of waiting seconds. */
function manualTimer() {
  const pending: Array<{ run: () => void; ms: number; cancelled: boolean }> = [];
  const setTimer = (run: () => void, ms: number) => {
    const timer = { run, ms, cancelled: false };
    pending.push(timer);
    return () => {
      timer.cancelled = true;
    };
  };
  const fire = () => pending.filter((t) => !t.cancelled).forEach((t) => t.run());
  return { setTimer, pending, fire };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('installAppListeners', () => {
  it('says no service is connected when the page has no bridge', () => {
    const store = createAppStore();
    installAppListeners(undefined, store);
    expect(store.getState().service).toBe('absent');
  });

  it('loads the app info and follows pushed state', async () => {
    const store = createAppStore();
    const core = coreWith(async () => INFO);
    installAppListeners(core.bridge, store, { setTimer: manualTimer().setTimer });
    await flush();
    core.push('app:state', { state: 'connected' });
    expect(store.getState()).toMatchObject({ service: 'ready', info: INFO, state: 'connected' });
  });

  it('reports a service that answers outside the contract', async () => {
    const store = createAppStore();
    const core = coreWith(async () => ({ name: 'LANrage' }));
    installAppListeners(core.bridge, store, { setTimer: manualTimer().setTimer });
    await flush();
    expect(store.getState().service).toBe('failed');
    expect(store.getState().error).toMatch(/app:info: the core answered outside the contract/);
  });

  it('reports a service that never answers once the timeout passes', () => {
    const store = createAppStore();
    const timer = manualTimer();
    installAppListeners(coreWith(() => new Promise(() => undefined)).bridge, store, timer);
    expect(timer.pending[0]?.ms).toBe(SERVICE_ANSWER_TIMEOUT_MS);
    expect(store.getState().service).toBe('starting');
    timer.fire();
    expect(store.getState()).toMatchObject({
      service: 'failed',
      error: 'The LANrage service did not answer.',
    });
  });

  it('removes its listener and timer when uninstalled', async () => {
    const store = createAppStore();
    const timer = manualTimer();
    const core = coreWith(() => new Promise(() => undefined));
    const uninstall = installAppListeners(core.bridge, store, timer);
    uninstall();
    core.push('app:state', { state: 'connected' });
    expect(store.getState().state).toBe('disconnected');
    expect(core.listeners.get('app:state')?.size).toBe(0);
    expect(timer.pending.every((t) => t.cancelled)).toBe(true);
  });
});
