import { INVOKE_CHANNELS } from '../contract.js';
import type { InvokeHandlers } from '../contract-dispatch.js';
import { ServiceError } from '../service-error.js';

/** Tests: a full handler table where every channel not given answers "unavailable". */
export function handlersWith(given: Partial<InvokeHandlers>): InvokeHandlers {
  const table: Record<string, unknown> = {};
  for (const channel of INVOKE_CHANNELS) {
    table[channel] =
      given[channel] ??
      (() => {
        throw new ServiceError('unavailable', `${channel} is not served in this test`);
      });
  }
  return table as InvokeHandlers;
}
