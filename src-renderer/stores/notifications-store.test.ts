import { describe, expect, it } from 'vitest';
import { MAX_TOASTS, PREFS_KEY, createNotificationsStore } from './notifications-store';

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
});
