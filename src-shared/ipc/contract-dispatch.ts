import {
  invokeContract,
  isInvokeChannel,
  type InvokeChannel,
  type InvokeOutcome,
  type InvokeRequest,
  type InvokeResponse,
} from './contract.js';
import { describeIssues } from './describe-issues.js';
import { ServiceError } from './service-error.js';

/**
 * The serving side of the contract, shared by every transport (Electron IPC, the web bridge, the
 * local API): one function per invoke channel, and one dispatcher that checks the channel and the
 * request before a handler runs and the handler's answer before it leaves.
 */
export type InvokeHandlers = {
  [C in InvokeChannel]: (
    request: InvokeRequest<C>,
  ) => InvokeResponse<C> | Promise<InvokeResponse<C>>;
};

export interface DispatchLogger {
  warn(message: string): void;
}

/** Longest error text sent back: enough for a sentence, never a dump. */
const MAX_ERROR_TEXT = 1_000;

function failure(code: ServiceError['code'], message: string): InvokeOutcome {
  return { ok: false, error: { code, message: message.slice(0, MAX_ERROR_TEXT) } };
}

/** Never throws: a bad channel, a bad request, a failing handler all become an error outcome. */
export async function dispatchInvoke(
  handlers: InvokeHandlers,
  channel: unknown,
  request: unknown,
  logger: DispatchLogger,
): Promise<InvokeOutcome> {
  if (!isInvokeChannel(channel)) {
    logger.warn(
      `refused a call on unknown channel ${JSON.stringify(String(channel)).slice(0, 80)}`,
    );
    return failure('bad-request', 'unknown channel');
  }
  const { request: requestSchema, response: responseSchema } = invokeContract[channel];
  const parsed = requestSchema.safeParse(request);
  if (!parsed.success) {
    logger.warn(`${channel}: refused an invalid request`);
    return failure('bad-request', `${channel}: invalid request: ${describeIssues(parsed.error)}`);
  }
  let value: unknown;
  try {
    value = await (handlers[channel] as (request: unknown) => unknown)(parsed.data);
  } catch (error) {
    if (error instanceof ServiceError) return failure(error.code, error.message);
    logger.warn(`${channel}: handler failed: ${String(error)}`);
    return failure('internal', error instanceof Error ? error.message : String(error));
  }
  const checked = responseSchema.safeParse(value);
  if (!checked.success) {
    logger.warn(
      `${channel}: handler answered outside the contract: ${describeIssues(checked.error)}`,
    );
    return failure('internal', `${channel}: internal error: the answer broke the contract`);
  }
  return { ok: true, value: checked.data };
}
