import { describe, expect, it } from 'vitest';
import {
  INVOKE_CHANNELS,
  InvokeOutcomeSchema,
  invokeContract,
  type AppInfo,
  type EventChannel,
} from '../../src-shared/ipc/contract.js';
import { dispatchInvoke, type InvokeHandlers } from '../../src-shared/ipc/contract-dispatch.js';
import { createBridge } from '../../src-shared/ipc/create-bridge.js';
import { handlersWith } from '../../src-shared/ipc/testing/handlers-with.js';
import { registerIpcHandlers, type IpcMainLike } from './ipc-main.js';
import { seededRandom } from '../../src-shared/protocol/fuzz-bytes.js';
import { checkIpcSender, type IpcSenderLike } from './trusted-ipc-sender.js';

/** Hostile values: wrong types, deep and odd objects, prototype tricks, huge strings. */
function hostileValue(random: () => number, depth = 0): unknown {
  const pick = Math.floor(random() * 12);
  switch (pick) {
    case 0:
      return undefined;
    case 1:
      return null;
    case 2:
      return random() * 2 ** 64 - 2 ** 63;
    case 3:
      return 'x'.repeat(Math.floor(random() * 100_000));
    case 4:
      return String.fromCharCode(
        ...Array.from({ length: 20 }, () => Math.floor(random() * 0xffff)),
      );
    case 5:
      return JSON.parse('{"__proto__": {"polluted": true}, "mode": "electron"}') as unknown;
    case 6:
      return {
        name: 'LANrage',
        version: '0.1.0',
        platform: 'linux',
        mode: random() > 0.5 ? 'web' : 'evil',
      };
    case 7:
      return depth > 4 ? [] : Array.from({ length: 3 }, () => hostileValue(random, depth + 1));
    case 8:
      return depth > 4
        ? {}
        : { state: hostileValue(random, depth + 1), extra: hostileValue(random, depth + 1) };
    case 9:
      return { state: ['connected', 'disconnected', 'bogus'][Math.floor(random() * 3)] };
    case 10:
      return NaN;
    default:
      return Symbol('hostile');
  }
}

const RENDERER_URL = 'file:///app/dist/renderer/index.html';
const TRUSTED: IpcSenderLike = {
  sender: { id: 1 },
  senderFrame: { url: RENDERER_URL, parent: null },
};
const INFO: AppInfo = { name: 'LANrage', version: '0.1.0', platform: 'linux', mode: 'electron' };
const ROUNDS = 2_000;

describe('IPC under hostile input', () => {
  it('main refuses every malformed request with an error naming the channel and never runs the handler', async () => {
    const random = seededRandom(0x1a2b);
    let handlerRuns = 0;
    const listeners = new Map<string, (event: IpcSenderLike, ...args: unknown[]) => unknown>();
    const ipcMain: IpcMainLike = {
      handle: (c, l) => listeners.set(c, l),
      removeHandler: () => undefined,
    };
    const listener = (event: IpcSenderLike, ...args: unknown[]) =>
      listeners.get('app:info')?.(event, ...args);
    registerIpcHandlers({
      ipcMain,
      handlers: handlersWith({ 'app:info': () => (handlerRuns++, INFO) }),
      checkSender: (event) =>
        checkIpcSender(event, { trustedWebContentsIds: new Set([1]), rendererUrl: RENDERER_URL }),
      logger: { warn: () => undefined },
    });
    let refused = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const args = Array.from({ length: 1 + Math.floor(random() * 2) }, () => hostileValue(random));
      const valid = args.length === 1 && args[0] === undefined;
      const outcome = await Promise.resolve(listener?.(TRUSTED, ...args)).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      if (valid) {
        expect(outcome).toEqual({ ok: true, value: { ok: true, value: INFO } });
      } else {
        refused++;
        expect(outcome).toMatchObject({
          ok: true,
          value: {
            ok: false,
            error: {
              code: 'bad-request',
              message: expect.stringMatching(/^app:info: invalid request|expected one argument/),
            },
          },
        });
      }
    }
    expect(refused).toBeGreaterThan(ROUNDS / 2);
    expect(handlerRuns).toBe(ROUNDS - refused);
  });

  it('every channel refuses hostile requests before its handler runs, and answers only with outcomes', async () => {
    const random = seededRandom(0x77aa);
    const ran: string[] = [];
    const table: Record<string, () => unknown> = {};
    for (const channel of INVOKE_CHANNELS)
      table[channel] = () => (ran.push(channel), Promise.reject(new Error('stub')));
    const handlers = table as unknown as InvokeHandlers;
    for (let round = 0; round < ROUNDS; round++) {
      const channel = INVOKE_CHANNELS[Math.floor(random() * INVOKE_CHANNELS.length)]!;
      const request = hostileValue(random);
      const accepted = invokeContract[channel].request.safeParse(request).success;
      const before = ran.length;
      const outcome = await dispatchInvoke(handlers, channel, request, { warn: () => undefined });
      expect(InvokeOutcomeSchema.safeParse(outcome).success).toBe(true);
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.error.code).toBe(accepted ? 'internal' : 'bad-request');
      expect(ran.length - before).toBe(accepted ? 1 : 0);
    }
  });

  it('the bridge delivers only pushes that match the contract, whatever arrives', () => {
    const random = seededRandom(0x3c4d);
    let deliver: ((payload: unknown) => void) | undefined;
    const bridge = createBridge({
      invoke: async () => ({ ok: true, value: INFO }),
      subscribe: (_channel: EventChannel, listener) => ((deliver = listener), () => undefined),
    });
    const received: unknown[] = [];
    bridge.app.onState((event) => received.push(event));
    let sent = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const payload = hostileValue(random);
      expect(() => deliver?.(payload)).not.toThrow();
      const isValid =
        typeof payload === 'object' &&
        payload !== null &&
        Object.keys(payload).length === 1 &&
        !Array.isArray(payload) &&
        ['connected', 'disconnected', 'connecting', 'degraded'].includes(
          String((payload as { state?: unknown }).state),
        );
      if (isValid) sent++;
    }
    expect(received).toHaveLength(sent);
    for (const event of received) expect(Object.keys(event as object)).toEqual(['state']);
  });

  it('the sender check never throws on hostile frames and URLs', () => {
    const random = seededRandom(0x5e6f);
    const policy = { trustedWebContentsIds: new Set([1]), rendererUrl: RENDERER_URL };
    const prefixes = [
      'file:///app/dist/renderer/',
      'file://',
      'http://127.0.0.1:1/',
      'javascript:',
      'data:text/html,',
      '',
    ];
    for (let round = 0; round < ROUNDS; round++) {
      const tail = String.fromCharCode(
        ...Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 0x2fff)),
      );
      const url = `${prefixes[Math.floor(random() * prefixes.length)]}${tail}`;
      const parent = random() > 0.8 ? {} : null;
      const verdict = checkIpcSender({ sender: { id: 1 }, senderFrame: { url, parent } }, policy);
      expect(verdict.trusted).toBe(false);
    }
  });
});
