import { describe, expect, it } from 'vitest';
import { MAX_TOASTS, PREFS_KEY, createNotificationsStore } from './notifications-store';

/** A manual clock: timers run only when the test advances it. */
function manualTimers() {
  let now = 0;
  const pending: { at: number; run: () => void }[] = [];
  return {
    setTimer: (run: () => void, ms: number) => void pending.push({ at: now + ms, run }),
    advanceTo(ms: number) {
      now = ms;
      for (const t of pending.filter((p) => p.at <= now)) {
        pending.splice(pending.indexOf(t), 1);
        t.run();
      }
    },
  };
}

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    data,
  };
}

describe('notifications store', () => {
  it('has every kind on until the user turns one off, and remembers it', () => {
    const storage = memoryStorage();
    const store = createNotificationsStore(storage);
    expect(store.getState().prefs['latency-spike']).toBe(true);
    store.getState().setPref('latency-spike', false);
    expect(JSON.parse(storage.data.get(PREFS_KEY)!)).toMatchObject({ 'latency-spike': false });
    expect(createNotificationsStore(storage).getState().prefs['latency-spike']).toBe(false);
  });

  it('ignores a corrupt saved preference', () => {
    const store = createNotificationsStore(memoryStorage({ [PREFS_KEY]: '{"peer-left": "yes"' }));
    expect(store.getState().prefs['peer-left']).toBe(true);
  });

  it(`keeps at most ${MAX_TOASTS} toasts, the newest`, () => {
    const store = createNotificationsStore();
    for (let i = 0; i < 6; i++)
      store.getState().showToast({ kind: 'peer-joined', peerId: `p${i}`, text: `p${i}` });
    expect(store.getState().toasts.map((t) => t.text)).toEqual(['p2', 'p3', 'p4', 'p5']);
    store.getState().dismiss(store.getState().toasts[0]!.id);
    expect(store.getState().toasts.map((t) => t.text)).toEqual(['p3', 'p4', 'p5']);
  });

  it('takes each toast away 6 s after it appeared, whatever arrives after it', () => {
    const timers = manualTimers();
    const store = createNotificationsStore(undefined, timers.setTimer);
    const texts = () => store.getState().toasts.map((t) => t.text);
    store.getState().showToast({ kind: 'peer-joined', peerId: 'ben', text: 'ben joined' });
    timers.advanceTo(4_000);
    store.getState().showToast({ kind: 'peer-joined', peerId: 'cara', text: 'cara joined' });
    timers.advanceTo(5_999);
    expect(texts()).toEqual(['ben joined', 'cara joined']);
    timers.advanceTo(6_000);
    expect(texts()).toEqual(['cara joined']);
    timers.advanceTo(10_000);
    expect(texts()).toEqual([]);
  });

  it('leaves the list alone when a dismissed toast times out', () => {
    const timers = manualTimers();
    const store = createNotificationsStore(undefined, timers.setTimer);
    const id = store.getState().showToast({ kind: 'peer-left', peerId: 'ben', text: 'ben left' });
    store.getState().dismiss(id);
    const before = store.getState().toasts;
    timers.advanceTo(6_000);
    expect(store.getState().toasts).toBe(before);
  });
});
