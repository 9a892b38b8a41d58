import {
  EVENT_CHANNELS,
  InvokeOutcomeSchema,
  INVOKE_CHANNELS,
  bridgeNameOf,
  eventContract,
  invokeContract,
  type EventChannel,
  type InvokeChannel,
  type LanrageBridge,
  type Unsubscribe,
} from './contract.js';
import { describeIssues } from './describe-issues.js';
import { ServiceError } from './service-error.js';

/**
 * How a bridge reaches the core. The preload implements it with `ipcRenderer`; the web-mode
 * bridge will implement it with a loopback WebSocket. Nothing here knows which.
 */
export interface BridgeTransport {
  /** Resolves with the core's InvokeOutcome (value or error code), unchecked. */
  invoke(channel: InvokeChannel, request: unknown): Promise<unknown>;
  subscribe(channel: EventChannel, listener: (payload: unknown) => void): Unsubscribe;
}

export interface CreateBridgeOptions {
  /** Told about pushes that do not match the contract (they are dropped, never delivered). */
  onContractViolation?: (message: string) => void;
}

/** Thrown (as a rejected promise) when a request or response breaks the contract. */
export class IpcContractError extends Error {
  override readonly name = 'IpcContractError';
}

export { ServiceError };

/**
 * Bridges run inside pages whose CSP has no 'unsafe-eval'. zod's fast path compiles object
 * parsers with `new Function`; its probe for eval passes in Chromium under such a CSP (an empty
 * body is allowed) and the real compile then throws. So every parse here skips the fast path.
 * Per parse, not `z.config`, so schemas used elsewhere in the same process keep it.
 */
const PAGE_SAFE_PARSE = { jitless: true } as const;

/**
 * Builds `window.lanrage` from the contract: one method per invoke channel, one `onX` per event.
 * Requests are checked before they leave (a clear error instead of a refusal from the core) and
 * responses and pushes on arrival, so a core and renderer of different versions fail loudly
 * instead of rendering garbage.
 */
export function createBridge(
  transport: BridgeTransport,
  options: CreateBridgeOptions = {},
): LanrageBridge {
  const areas = new Map<string, Record<string, unknown>>();
  const areaFor = (area: string): Record<string, unknown> => {
    let methods = areas.get(area);
    if (!methods) {
      methods = {};
      areas.set(area, methods);
    }
    return methods;
  };

  for (const channel of INVOKE_CHANNELS) {
    const { area, method } = bridgeNameOf(channel, 'invoke');
    const { request: requestSchema, response: responseSchema } = invokeContract[channel];
    areaFor(area)[method] = async (request?: unknown): Promise<unknown> => {
      const checkedRequest = requestSchema.safeParse(request, PAGE_SAFE_PARSE);
      if (!checkedRequest.success) {
        throw new IpcContractError(
          `${channel}: invalid request: ${describeIssues(checkedRequest.error)}`,
        );
      }
      const outcome = InvokeOutcomeSchema.safeParse(
        await transport.invoke(channel, checkedRequest.data),
        PAGE_SAFE_PARSE,
      );
      if (!outcome.success) {
        throw new IpcContractError(
          `${channel}: the core answered outside the contract: ${describeIssues(outcome.error)}`,
        );
      }
      // The core refused or failed: its code and sentence reach the caller unchanged.
      if (!outcome.data.ok)
        throw new ServiceError(outcome.data.error.code, outcome.data.error.message);
      const response = outcome.data.value;
      const checkedResponse = responseSchema.safeParse(response, PAGE_SAFE_PARSE);
      if (!checkedResponse.success) {
        throw new IpcContractError(
          `${channel}: the core answered outside the contract: ${describeIssues(checkedResponse.error)}`,
        );
      }
      return checkedResponse.data;
    };
  }

  for (const channel of EVENT_CHANNELS) {
    const { area, method } = bridgeNameOf(channel, 'event');
    const schema = eventContract[channel];
    areaFor(area)[method] = (listener: unknown): Unsubscribe => {
      if (typeof listener !== 'function') {
        throw new IpcContractError(`${channel}: listener must be a function`);
      }
      let subscribed = true;
      const unsubscribe = transport.subscribe(channel, (payload) => {
        const checked = schema.safeParse(payload, PAGE_SAFE_PARSE);
        if (!checked.success) {
          options.onContractViolation?.(
            `${channel}: dropped a push outside the contract: ${describeIssues(checked.error)}`,
          );
          return;
        }
        (listener as (payload: unknown) => void)(checked.data);
      });
      return () => {
        if (!subscribed) return;
        subscribed = false;
        unsubscribe();
      };
    };
  }

  const bridge: Record<string, unknown> = {};
  for (const [area, methods] of areas) bridge[area] = Object.freeze(methods);
  // The loops above create exactly the members LanrageBridge derives from the same contract;
  // create-bridge.test.ts checks every channel is reachable under its derived name.
  return Object.freeze(bridge) as LanrageBridge;
}
