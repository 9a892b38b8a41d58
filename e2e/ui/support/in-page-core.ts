// Runs INSIDE the test page (bundled by esbuild into an init script): stands in for the core
// behind the bridge, while the bridge itself is the real createBridge from the contract.
// The test pushes events with `__lanrageTest.push(channel, payload)`, as main would, and reads
// the invokes the page made (channel and request) from `__lanrageTest.calls`.
import type { EventChannel, InvokeChannel } from '../../../src-shared/ipc/contract.js';
import { createBridge } from '../../../src-shared/ipc/create-bridge.js';

declare const IN_PAGE_ANSWERS: Partial<Record<InvokeChannel, unknown>>;

const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();
const calls: { channel: InvokeChannel; request: unknown }[] = [];

const bridge = createBridge({
  invoke: async (channel, request) => {
    calls.push({ channel, request });
    return channel in IN_PAGE_ANSWERS
      ? { ok: true, value: IN_PAGE_ANSWERS[channel] }
      : { ok: false, error: { code: 'unavailable', message: `${channel}: not served here` } };
  },
  subscribe: (channel, listener) => {
    const set = listeners.get(channel) ?? new Set();
    set.add(listener);
    listeners.set(channel, set);
    return () => set.delete(listener);
  },
});

Object.defineProperty(globalThis, 'lanrage', { value: bridge });
Object.defineProperty(globalThis, '__lanrageTest', {
  value: {
    calls,
    push: (channel: EventChannel, payload: unknown) =>
      listeners.get(channel)?.forEach((listener) => listener(payload)),
  },
});
