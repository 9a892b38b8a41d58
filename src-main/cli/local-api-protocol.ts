import { z } from 'zod';

/**
 * `lanrage up` answers other `lanrage` commands over a Unix socket in the config dir, created
 * mode 0600 so only the same user (or root) can open it. It is one more transport of the typed
 * contract (src-shared/ipc/contract.ts), like the Electron IPC and the web bridge:
 *
 *   → {"channel":"relays:use","request":{"id":"eu-1"}}\n
 *   ← {"ok":true,"value":[…]}\n            or {"ok":false,"error":{"code":"unknown-relay",…}}\n
 *
 * The request is checked against the channel's schema by dispatchInvoke, the answer by the
 * client against the same contract.
 */
export const LOCAL_SOCKET_NAME = 'lanrage.sock';
export const MAX_LOCAL_REQUEST_BYTES = 4096;

export const LocalFrameSchema = z.strictObject({
  channel: z.string().max(64),
  request: z.unknown().optional(),
});
