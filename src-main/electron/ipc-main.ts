import { describeIssues } from '../../src-shared/ipc/describe-issues.js';
import {
  INVOKE_CHANNELS,
  eventContract,
  invokeContract,
  type EventChannel,
  type EventPayload,
  type InvokeChannel,
  type InvokeRequest,
  type InvokeResponse,
} from '../../src-shared/ipc/contract.js';
import type { IpcSenderLike, SenderVerdict } from './trusted-ipc-sender.js';

/**
 * Main's side of the IPC contract: one `ipcMain.handle` per invoke channel, derived from
 * src-shared/ipc/contract.ts, and the only way main pushes events. Nothing else in the app
 * touches `ipcMain` or `webContents.send`.
 *
 * Every message is checked in this order, and refused with an error naming the channel:
 *   1. the sender (trusted-ipc-sender.ts): our window's top frame showing our page;
 *   2. the argument count and the request against the channel's schema;
 *   3. the handler's own answer against the response schema (a bug in main, not the renderer).
 */

/** What main implements: one function per invoke channel, typed from the contract. */
export type InvokeHandlers = {
  [C in InvokeChannel]: (
    request: InvokeRequest<C>,
  ) => InvokeResponse<C> | Promise<InvokeResponse<C>>;
};

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

async function dispatch<C extends InvokeChannel>(
  channel: C,
  event: IpcSenderLike,
  args: unknown[],
  handlers: InvokeHandlers,
  checkSender: (event: IpcSenderLike) => SenderVerdict,
  logger: IpcLogger,
): Promise<InvokeResponse<C>> {
  const verdict = checkSender(event);
  if (!verdict.trusted) {
    logger.warn(`ipc ${channel} refused: ${verdict.reason}`);
    throw new Error(`${channel}: refused: ${verdict.reason}`);
  }
  // The bridge sends exactly one argument (undefined when the channel takes none).
  if (args.length > 1) {
    throw new Error(`${channel}: invalid request: expected one argument, got ${args.length}`);
  }
  const { request: requestSchema, response: responseSchema } = invokeContract[channel];
  const request = requestSchema.safeParse(args[0]);
  if (!request.success) {
    throw new Error(`${channel}: invalid request: ${describeIssues(request.error)}`);
  }
  const handler = handlers[channel] as (request: unknown) => unknown;
  const response = responseSchema.safeParse(await handler(request.data));
  if (!response.success) {
    logger.warn(`ipc ${channel}: handler answered outside the contract`);
    throw new Error(`${channel}: internal error: ${describeIssues(response.error)}`);
  }
  return response.data as InvokeResponse<C>;
}

/** The one method of Electron's `WebContents` used to push. */
export interface PushTarget {
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

/**
 * Pushes an event to a window, checked against the contract first: a malformed push is a bug in
 * main and throws here, where the stack trace points at it, not in the renderer.
 */
export function publishEvent<E extends EventChannel>(
  target: PushTarget,
  channel: E,
  payload: EventPayload<E>,
): void {
  const checked = eventContract[channel].safeParse(payload);
  if (!checked.success) {
    throw new Error(
      `${channel}: refusing to push outside the contract: ${describeIssues(checked.error)}`,
    );
  }
  if (target.isDestroyed()) return;
  target.send(channel, checked.data);
}
