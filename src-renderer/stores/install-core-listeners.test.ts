import { describe, expect, it } from 'vitest';
import { inParty, peer } from '../../src-shared/domain/testing/status-fixtures';
import type { EventChannel, InvokeChannel } from '../../src-shared/ipc/contract';
import { createBridge } from '../../src-shared/ipc/create-bridge';
import type { Notice } from '../notifications/notice-rules';
import { installCoreListeners } from './install-core-listeners';
import { createNotificationsStore } from './notifications-store';
import { createPartyStore } from './party-store';
import { viewStore } from './view-store';

function fakeCore() {
  const listeners = new Map<EventChannel, Set<(p: unknown) => void>>();
  const bridge = createBridge({
    invoke: async (channel: InvokeChannel) =>
      channel === 'party:status'
        ? { ok: true, value: inParty([peer('ben')]) }
        : { ok: false, error: { code: 'unavailable', message: 'x' } },
    subscribe: (channel, listener) => {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener);
      listeners.set(channel, set);
      return () => set.delete(listener);
    },
  });
  const push = (channel: EventChannel, payload: unknown) =>
    listeners.get(channel)?.forEach((l) => l(payload));
  return { bridge, push, listeners };
}

describe('installCoreListeners', () => {
  it('feeds pushed statuses to the party store and delivers only notices the user wants', async () => {
    const core = fakeCore();
    const party = createPartyStore();
    const notifications = createNotificationsStore();
    notifications.getState().setPref('peer-left', false);
    const delivered: Notice[] = [];
    const stop = installCoreListeners(core.bridge, {
      party,
      view: viewStore,
      notifications,
      deliver: (n) => delivered.push(n),
      now: () => 1_000,
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(party.getState().status?.peers.map((p) => p.name)).toEqual(['ben']);
    core.push('party:status', inParty([peer('ben'), peer('cara')]));
    core.push('party:status', inParty([peer('cara')]));
    expect(delivered.map((n) => n.text)).toEqual(['cara joined the party']);
    core.push('party:status', { state: 'hacked' });
    expect(party.getState().status?.peers.map((p) => p.name)).toEqual(['cara']);
    core.push('app:navigate', { view: 'settings' });
    expect(viewStore.getState().view).toBe('settings');
    stop();
    expect(core.listeners.get('party:status')?.size).toBe(0);
  });
});
