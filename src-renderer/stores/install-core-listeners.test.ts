import { describe, expect, it } from 'vitest';
import { inParty, peer, relayed } from '../../src-shared/domain/testing/status-fixtures';
import type { EventChannel, InvokeChannel } from '../../src-shared/ipc/contract';
import { createBridge } from '../../src-shared/ipc/create-bridge';
import type { Notice, NoticeKind } from '../notifications/notice-rules';
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

  /**
   * One status sequence that raises each kind once: cara joins, ben moves to a relay, ben comes
   * back direct, ben's latency jumps 20 → 120 ms, cara leaves.
   */
  const SEQUENCE = [
    inParty([peer('ben', { latencyMs: 20 })]),
    inParty([peer('ben', { latencyMs: 20 }), peer('cara')]),
    inParty([relayed('ben', 'eu-1', 41), peer('cara')]),
    inParty([peer('ben', { latencyMs: 20 }), peer('cara')]),
    inParty([peer('ben', { latencyMs: 120 }), peer('cara')]),
    inParty([peer('ben', { latencyMs: 120 })]),
  ];
  const ALL = [
    'peer-joined cara joined the party',
    'to-relay ben moved to relay eu-1',
    'to-direct ben is back on a direct path',
    'latency-spike ben: latency jumped from 20 to 120 ms',
    'peer-left cara left the party',
  ];

  it.each<[NoticeKind, string[]]>([
    ['peer-joined', ALL.filter((n) => !n.startsWith('peer-joined'))],
    ['peer-left', ALL.filter((n) => !n.startsWith('peer-left'))],
    ['to-relay', ALL.filter((n) => !n.startsWith('to-relay'))],
    ['to-direct', ALL.filter((n) => !n.startsWith('to-direct'))],
    ['latency-spike', ALL.filter((n) => !n.startsWith('latency-spike'))],
  ])(
    'drops every %s notice once the user turns that kind off, and only those',
    (kind, expected) => {
      const core = fakeCore();
      const notifications = createNotificationsStore();
      const delivered: string[] = [];
      installCoreListeners(core.bridge, {
        party: createPartyStore(),
        view: viewStore,
        notifications,
        deliver: (n) => delivered.push(`${n.kind} ${n.text}`),
        now: () => 1_000,
      });
      for (const status of SEQUENCE) core.push('party:status', status);
      expect(delivered).toEqual(ALL);

      delivered.length = 0;
      notifications.getState().setPref(kind, false);
      for (const status of SEQUENCE) core.push('party:status', status);
      expect(delivered).toEqual(expected);
      expect(expected).toHaveLength(4);
    },
  );
});
