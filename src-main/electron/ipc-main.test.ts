import { describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS, type AppInfo } from '../../src-shared/ipc/contract.js';
import { handlersWith } from '../../src-shared/ipc/testing/handlers-with.js';
import { inParty, peer } from '../../src-shared/domain/testing/status-fixtures.js';
import {
  publishEvent,
  registerIpcHandlers,
  type InvokeHandlers,
  type IpcMainLike,
} from './ipc-main.js';
import { checkIpcSender, type IpcSenderLike } from './trusted-ipc-sender.js';

const RENDERER_URL = 'file:///app/dist/renderer/index.html';
const TRUSTED: IpcSenderLike = {
  sender: { id: 1 },
  senderFrame: { url: RENDERER_URL, parent: null },
};
const INFO: AppInfo = { name: 'LANrage', version: '0.1.0', platform: 'linux', mode: 'electron' };

type Listener = (event: IpcSenderLike, ...args: unknown[]) => unknown;

/** Stands in for Electron's ipcMain (the binary is not installed here): a channel → listener map. */
function fakeIpcMain() {
  const handlers = new Map<string, Listener>();
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler: (channel) => handlers.delete(channel),
  };
  const call = async (channel: string, event: IpcSenderLike, ...args: unknown[]) => {
    const listener = handlers.get(channel);
    if (!listener) throw new Error(`No handler registered for '${channel}'`);
    return listener(event, ...args);
  };
  return { ipcMain, handlers, call };
}

function setUp(handlers: InvokeHandlers = handlersWith({ 'app:info': () => INFO })) {
  const fake = fakeIpcMain();
  const warnings: string[] = [];
  const remove = registerIpcHandlers({
    ipcMain: fake.ipcMain,
    handlers,
    checkSender: (event) =>
      checkIpcSender(event, { trustedWebContentsIds: new Set([1]), rendererUrl: RENDERER_URL }),
    logger: { warn: (message) => warnings.push(message) },
  });
  return { ...fake, warnings, remove };
}

describe('registerIpcHandlers', () => {
  it('registers exactly the invoke channels of the contract', () => {
    const { handlers } = setUp();
    expect([...handlers.keys()]).toEqual(INVOKE_CHANNELS);
    expect(INVOKE_CHANNELS).toContain('party:join');
  });

  it('answers app:info from our own window', async () => {
    const { call } = setUp();
    await expect(call('app:info', TRUSTED, undefined)).resolves.toEqual({ ok: true, value: INFO });
  });

  it('refuses a message from a foreign page before running the handler, and logs it', async () => {
    let ran = false;
    const { call, warnings } = setUp(handlersWith({ 'app:info': () => ((ran = true), INFO) }));
    const foreign = {
      sender: { id: 1 },
      senderFrame: { url: 'https://evil.example/', parent: null },
    };
    const answer = (await call('app:info', foreign)) as {
      ok: false;
      error: { code: string; message: string };
    };
    expect(answer.error.code).toBe('refused');
    expect(answer.error.message).toMatch(/^app:info: refused: the sending page/);
    expect(ran).toBe(false);
    expect(warnings).toHaveLength(1);
  });

  it('refuses an argument the channel does not take', async () => {
    const { call } = setUp();
    expect(await call('app:info', TRUSTED, { name: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: expect.stringMatching(/^app:info: invalid request/) },
    });
    expect(await call('app:info', TRUSTED, undefined, 1)).toMatchObject({
      ok: false,
      error: {
        code: 'bad-request',
        message: expect.stringMatching(/expected one argument, got 2/),
      },
    });
  });

  it('does not leak a handler answer that breaks the contract', async () => {
    const broken = { ...INFO, mode: 'desktop' } as unknown as AppInfo;
    const { call, warnings } = setUp(handlersWith({ 'app:info': () => broken }));
    expect(await call('app:info', TRUSTED)).toEqual({
      ok: false,
      error: {
        code: 'internal',
        message: 'app:info: internal error: the answer broke the contract',
      },
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^app:info: handler answered outside the contract/);
  });

  it('removes every handler it registered', () => {
    const { handlers, remove } = setUp();
    remove();
    expect(handlers.size).toBe(0);
  });
});

describe('publishEvent', () => {
  function target(destroyed = false) {
    const sent: Array<[string, unknown]> = [];
    return {
      sent,
      send: (c: string, p: unknown) => sent.push([c, p]),
      isDestroyed: () => destroyed,
    };
  }

  it('sends a valid push to the window', () => {
    const window = target();
    publishEvent(window, 'app:state', { state: 'disconnected' });
    expect(window.sent).toEqual([['app:state', { state: 'disconnected' }]]);
  });

  it('throws on a push outside the contract and sends nothing', () => {
    const window = target();
    const bad = { state: 'online' } as unknown as { state: 'connected' };
    expect(() => publishEvent(window, 'app:state', bad)).toThrow(/refusing to push/);
    expect(window.sent).toEqual([]);
  });

  it('sends party:status as built by the core, leaving the check to the receiving bridge', () => {
    const window = target();
    const status = inParty([peer('ben')]);
    publishEvent(window, 'party:status', status);
    expect(window.sent).toEqual([['party:status', status]]);
  });

  it('skips a window that is already destroyed', () => {
    const window = target(true);
    publishEvent(window, 'app:state', { state: 'connected' });
    expect(window.sent).toEqual([]);
  });
});
