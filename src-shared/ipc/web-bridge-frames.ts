import { z } from 'zod';
import { InvokeOutcomeSchema } from './contract.js';

/**
 * Web mode: the contract over one loopback WebSocket (`lanrage up --ui`). JSON text frames:
 *
 *   page → core   {"t":"invoke","id":7,"channel":"party:join","request":{"inviteCode":"…"}}
 *   core → page   {"t":"result","id":7,"outcome":{"ok":true,"value":{…}}}
 *   core → page   {"t":"event","channel":"party:status","payload":{…}}
 *
 * The page sends only invokes; every push goes to every connected page. The request inside an
 * invoke is checked by dispatchInvoke against its channel's schema, like every other transport.
 */
export const WEB_BRIDGE_PATH = '/bridge';
/** The largest frame a page may send: the biggest request (settings) is well under 1 KiB. */
export const MAX_WEB_FRAME_BYTES = 16 * 1024;

export const PageFrameSchema = z.strictObject({
  t: z.literal('invoke'),
  id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  channel: z.string().max(64),
  request: z.unknown().optional(),
});
export type PageFrame = z.infer<typeof PageFrameSchema>;

export const CoreFrameSchema = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('result'), id: z.number().int(), outcome: InvokeOutcomeSchema }),
  z.strictObject({ t: z.literal('event'), channel: z.string().max(64), payload: z.unknown() }),
]);
export type CoreFrame = z.infer<typeof CoreFrameSchema>;
