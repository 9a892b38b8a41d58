import { describeIssues } from '../../src-shared/ipc/describe-issues.js';
import {
  INVOKE_CHANNELS,
  eventContract,
  type EventChannel,
  type EventPayload,
  type InvokeChannel,
  type InvokeOutcome,
} from '../../src-shared/ipc/contract.js';
import { dispatchInvoke, type InvokeHandlers } from '../../src-shared/ipc/contract-dispatch.js';
import type { IpcSenderLike, SenderVerdict } from './trusted-ipc-sender.js';

/**
 * Main's side of the IPC contract: one `ipcMain.handle` per invoke channel, derived from
 * src-shared/ipc/contract.ts, and the only way main pushes events. Nothing else in the app
 * touches `ipcMain` or `webContents.send`.
 *
 * Every message is checked in this order, and answered with an InvokeOutcome — an error code
 * and a sentence naming the channel when refused:
 *   1. the sender (trusted-ipc-sender.ts): our window's top frame showing our page;
 *   2. the argument count, then (dispatchInvoke) the request against the channel's schema;
 *   3. the handler's own answer against the response schema (a bug in main, not the renderer).
 */

export type { InvokeHandlers };

/** The two methods of Electron's `ipcMain` used here (structural, so tests need no Electron). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcSenderLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface IpcLogger {
  warn(message: string): void;
}

export interface RegisterIpcOptions {
  ipcMain: IpcMainLike;
  handlers: InvokeHandlers;
  checkSender: (event: IpcSenderLike) => SenderVerdict;
  logger: IpcLogger;
}

/** Registers every invoke channel; returns a function that removes them all again. */
export function registerIpcHandlers(options: RegisterIpcOptions): () => void {
  const { ipcMain, handlers, checkSender, logger } = options;
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, (event, ...args) =>
      dispatch(channel, event, args, handlers, checkSender, logger),
    );
  }
  return () => {
    for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(channel);
  };
}

async function dispatch(
  channel: InvokeChannel,
  event: IpcSenderLike,
  args: unknown[],
  handlers: InvokeHandlers,
  checkSender: (event: IpcSenderLike) => SenderVerdict,
  logger: IpcLogger,
): Promise<InvokeOutcome> {
  const verdict = checkSender(event);
  if (!verdict.trusted) {
    logger.warn(`ipc ${channel} refused: ${verdict.reason}`);
    return {
      ok: false,
      error: { code: 'refused', message: `${channel}: refused: ${verdict.reason}` },
    };
  }
  // The bridge sends exactly one argument (undefined when the channel takes none).
  if (args.length > 1) {
    return {
      ok: false,
      error: {
        code: 'bad-request',
        message: `${channel}: invalid request: expected one argument, got ${args.length}`,
      },
    };
  }
  return dispatchInvoke(handlers, channel, args[0], logger);
}

/** The one method of Electron's `WebContents` used to push. */
export interface PushTarget {
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

/**
 * Pushes checked by main before they leave. `party:status` is not: it is built by the core's typed
 * code, coalesced to a few a second, and checked by the receiving bridge (createBridge) anyway;
 * parsing a 32-member status (27 KB as JSON) in main costs about 0.6 ms per push (p50, a parse
 * every 250 ms on the 2-core dev machine), more than everything else on the push path together
 * (npm run bench -- status-push: about 0.45 ms per update for the whole process).
 */
const CHECKED_BY_RECEIVER_ONLY: ReadonlySet<EventChannel> = new Set(['party:status']);

/**
 * Pushes an event to a window, checked against the contract first: a malformed push is a bug in
 * main and throws here, where the stack trace points at it, not in the renderer.
 */
export function publishEvent<E extends EventChannel>(
  target: PushTarget,
  channel: E,
  payload: EventPayload<E>,
): void {
  if (target.isDestroyed()) return;
  if (CHECKED_BY_RECEIVER_ONLY.has(channel)) {
    target.send(channel, payload);
    return;
  }
  const checked = eventContract[channel].safeParse(payload);
  if (!checked.success) {
    throw new Error(
      `${channel}: refusing to push outside the contract: ${describeIssues(checked.error)}`,
    );
  }
  target.send(channel, checked.data);
}
