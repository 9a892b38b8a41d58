import { describe, expect, it } from 'vitest';
import type { AppStateEvent, EventChannel, InvokeChannel } from './contract.js';
import {
  IpcContractError,
  ServiceError,
  createBridge,
  type BridgeTransport,
} from './create-bridge.js';

/** An in-memory core: answers invokes from a table and lets the test push events. */
function memoryTransport(answers: Partial<Record<InvokeChannel, unknown>>) {
  const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();
  const sent: Array<{ channel: InvokeChannel; request: unknown }> = [];
  const transport: BridgeTransport = {
    invoke: async (channel, request) => {
      sent.push({ channel, request });
      return { ok: true, value: answers[channel] };
    },
    subscribe: (channel, listener) => {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener);
      listeners.set(channel, set);
      return () => set.delete(listener);
    },
  };
  const push = (channel: EventChannel, payload: unknown) => {
    for (const listener of listeners.get(channel) ?? []) listener(payload);
  };
  const listenerCount = (channel: EventChannel) => listeners.get(channel)?.size ?? 0;
  return { transport, push, sent, listenerCount };
}

const INFO = { name: 'LANrage', version: '0.1.0', platform: 'linux', mode: 'electron' } as const;

describe('createBridge', () => {
  it('calls app:info through the transport and returns the validated answer', async () => {
    const core = memoryTransport({ 'app:info': INFO });
    const bridge = createBridge(core.transport);
    await expect(bridge.app.info()).resolves.toEqual(INFO);
    expect(core.sent).toEqual([{ channel: 'app:info', request: undefined }]);
  });

  it('rejects an answer outside the contract with an error naming the channel', async () => {
    const core = memoryTransport({ 'app:info': { ...INFO, mode: 'native' } });
    const bridge = createBridge(core.transport);
    const failure = bridge.app.info();
    await expect(failure).rejects.toBeInstanceOf(IpcContractError);
    await expect(failure).rejects.toThrow(/app:info: the core answered outside the contract/);
  });

  it('refuses to send a request the contract does not allow', async () => {
    const core = memoryTransport({ 'app:info': INFO });
    const bridge = createBridge(core.transport);
    // A renderer bug (or hostile script) passing an argument where none is declared.
    const info = bridge.app.info as unknown as (request: unknown) => Promise<unknown>;
    await expect(info({ evil: true })).rejects.toThrow(/app:info: invalid request/);
    expect(core.sent).toHaveLength(0);
  });

  it('delivers valid pushes to the listener until it unsubscribes', () => {
    const core = memoryTransport({});
    const bridge = createBridge(core.transport);
    const received: AppStateEvent[] = [];
    const unsubscribe = bridge.app.onState((event) => received.push(event));
    core.push('app:state', { state: 'connected' });
    unsubscribe();
    unsubscribe();
    core.push('app:state', { state: 'degraded' });
    expect(received).toEqual([{ state: 'connected' }]);
    expect(core.listenerCount('app:state')).toBe(0);
  });

  it('drops a push outside the contract and reports it', () => {
    const core = memoryTransport({});
    const violations: string[] = [];
    const bridge = createBridge(core.transport, { onContractViolation: (m) => violations.push(m) });
    const received: AppStateEvent[] = [];
    bridge.app.onState((event) => received.push(event));
    core.push('app:state', { state: 'exploded' });
    core.push('app:state', null);
    expect(received).toEqual([]);
    expect(violations).toHaveLength(2);
    expect(violations[0]).toMatch(/^app:state: dropped a push outside the contract/);
  });

  it('refuses a listener that is not a function', () => {
    const bridge = createBridge(memoryTransport({}).transport);
    const onState = bridge.app.onState as unknown as (listener: unknown) => unknown;
    expect(() => onState('not a function')).toThrow(IpcContractError);
  });

  it('is frozen so page scripts cannot swap its methods', () => {
    const bridge = createBridge(memoryTransport({}).transport);
    expect(Object.isFrozen(bridge)).toBe(true);
    expect(Object.isFrozen(bridge.app)).toBe(true);
    expect(Object.keys(bridge)).toEqual([
      'app',
      'party',
      'relays',
      'settings',
      'logs',
      'diagnostics',
    ]);
    expect(Object.keys(bridge.app).sort()).toEqual(['info', 'onNavigate', 'onState']);
  });

  it('turns a refusal by the core into a ServiceError with its code and sentence', async () => {
    const bridge = createBridge({
      invoke: async () => ({
        ok: false,
        error: { code: 'bad-invite', message: 'No party has this invite code.' },
      }),
      subscribe: () => () => undefined,
    });
    const error = await bridge.party.join({ inviteCode: 'K7M2Q-9XTRA' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).code).toBe('bad-invite');
    expect((error as ServiceError).message).toBe('No party has this invite code.');
  });
});
