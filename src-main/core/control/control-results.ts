import { z } from 'zod';
import {
  MemberSchema,
  PartySchema,
  RelayInfoSchema,
  RouteGrantSchema,
  type Request,
  type RequestOp,
  type ResultByOp,
} from '../../../src-shared/protocol/control-messages.js';

/**
 * Schemas for each op's success result, so the client checks what the server answers as
 * strictly as the server checks what it is asked (ResultByOp is only a type).
 */
export const RESULT_SCHEMAS: { [Op in RequestOp]: z.ZodType<ResultByOp[Op]> } = {
  'party.create': z.strictObject({ party: PartySchema }),
  'party.join': z.strictObject({ party: PartySchema }),
  'party.leave': z.record(z.string(), z.never()),
  'member.update': z.strictObject({ member: MemberSchema }),
  signal: z.strictObject({ delivered: z.boolean() }),
  'route.token': RouteGrantSchema,
  'relays.list': z.strictObject({ relays: z.array(RelayInfoSchema) }),
  heartbeat: z.strictObject({ serverTime: z.number().int() }),
};

/** What a caller passes for an op: the request minus the envelope the client fills in. */
export type ParamsOf<Op extends RequestOp> = Omit<Extract<Request, { op: Op }>, 't' | 'id' | 'op'>;

/** Ops whose params are empty may be called without them: `request('heartbeat')`. */
export type ParamsArgs<Op extends RequestOp> = [keyof ParamsOf<Op>] extends [never]
  ? [params?: ParamsOf<Op>]
  : [params: ParamsOf<Op>];
