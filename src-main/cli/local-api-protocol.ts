import { z } from 'zod';

/**
 * `lanrage up` answers other `lanrage` commands over a Unix socket in the config dir, created
 * mode 0600 so only the same user (or root) can open it. One JSON request per line, one JSON
 * answer per line.
 */
export const LOCAL_SOCKET_NAME = 'lanrage.sock';
export const MAX_LOCAL_REQUEST_BYTES = 4096;

export const LocalRequestSchema = z.discriminatedUnion('cmd', [
  z.strictObject({ cmd: z.literal('status') }),
  z.strictObject({ cmd: z.literal('relays') }),
  z.strictObject({ cmd: z.literal('relay.use'), id: z.string().min(1).max(64) }),
  z.strictObject({ cmd: z.literal('relay.auto') }),
  z.strictObject({ cmd: z.literal('leave') }),
]);
export type LocalRequest = z.infer<typeof LocalRequestSchema>;

export type LocalResponse = { ok: true; result: unknown } | { ok: false; error: string };
