import { z } from 'zod';

/**
 * The typed IPC contract between the core (Electron main, or the headless core in web mode) and
 * the renderer. Declared once here; everything else is derived from it:
 *
 *   renderer ──invoke('area:verb', request)──▶ core      request → Promise<response>
 *   renderer ◀──event('area:verb', payload)─── core      pushed, never polled
 *
 * - src-main/electron/ipc-main.ts registers one handler per invoke channel, checks the sender
 *   and parses the request with its schema (the renderer is untrusted).
 * - src-main/preload/preload.ts exposes `createBridge(...)` — exactly this contract — as
 *   `window.lanrage`, nothing else.
 * - The web-mode bridge (a later release) implements the same `LanrageBridge` over a loopback
 *   WebSocket.
 *
 * Channels are namespaced `area:verb` (kebab-case verb); the bridge turns `app:info` into
 * `lanrage.app.info()` and the event `app:state` into `lanrage.app.onState(listener)`.
 */

/** `area:verb`, lowercase, kebab-case verb; one area per domain (app, party, peers, settings). */
export const IPC_CHANNEL_PATTERN = /^[a-z]+:[a-z]+(?:-[a-z]+)*$/;

/**
 * Overall connection state, the one the tray icon and the window badge show.
 * `disconnected` until the core is running a party.
 */
export const APP_STATES = ['disconnected', 'connecting', 'connected', 'degraded'] as const;
export const AppStateSchema = z.enum(APP_STATES);
export type AppState = z.infer<typeof AppStateSchema>;

/** Where the renderer runs: inside the Electron window, or in a browser against a headless core. */
export const APP_MODES = ['electron', 'web'] as const;

export const AppInfoSchema = z.strictObject({
  name: z.string().min(1).max(64),
  version: z.string().min(1).max(64),
  /** `process.platform` of the machine running the core (linux, win32, darwin, ...). */
  platform: z.string().min(1).max(32),
  mode: z.enum(APP_MODES),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

export const AppStateEventSchema = z.strictObject({ state: AppStateSchema });
export type AppStateEvent = z.infer<typeof AppStateEventSchema>;

/** A request that takes no argument: the renderer may send nothing else. */
const NoRequest = z.undefined();

/** Request → Promise channels the renderer may call. */
export const invokeContract = {
  'app:info': { request: NoRequest, response: AppInfoSchema },
} as const satisfies Record<string, { request: z.ZodType; response: z.ZodType }>;

/** Events the core pushes to the renderer. */
export const eventContract = {
  'app:state': AppStateEventSchema,
} as const satisfies Record<string, z.ZodType>;

export type InvokeChannel = keyof typeof invokeContract;
export type EventChannel = keyof typeof eventContract;
export type InvokeRequest<C extends InvokeChannel> = z.infer<(typeof invokeContract)[C]['request']>;
export type InvokeResponse<C extends InvokeChannel> = z.infer<
  (typeof invokeContract)[C]['response']
>;
export type EventPayload<E extends EventChannel> = z.infer<(typeof eventContract)[E]>;

export const INVOKE_CHANNELS = Object.keys(invokeContract) as InvokeChannel[];
export const EVENT_CHANNELS = Object.keys(eventContract) as EventChannel[];

export function isInvokeChannel(channel: unknown): channel is InvokeChannel {
  return typeof channel === 'string' && Object.hasOwn(invokeContract, channel);
}

export function isEventChannel(channel: unknown): channel is EventChannel {
  return typeof channel === 'string' && Object.hasOwn(eventContract, channel);
}

// ---- The bridge: what `window.lanrage` looks like, derived from the channels above. ----

/** Removes a listener; calling it twice is harmless. */
export type Unsubscribe = () => void;

type KebabToCamel<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<KebabToCamel<Tail>>}`
  : S;
type AreaOf<C extends string> = C extends `${infer Area}:${string}` ? Area : never;
export type BridgeArea = AreaOf<InvokeChannel> | AreaOf<EventChannel>;

type InvokeMethod<C extends InvokeChannel> = [InvokeRequest<C>] extends [undefined]
  ? () => Promise<InvokeResponse<C>>
  : (request: InvokeRequest<C>) => Promise<InvokeResponse<C>>;

type AreaInvokes<A extends string> = {
  [
    C in InvokeChannel as C extends `${A}:${infer Verb}` ? KebabToCamel<Verb> : never
  ]: InvokeMethod<C>;
};
type AreaEvents<A extends string> = {
  [
    E in EventChannel as E extends `${A}:${infer Verb}`
      ? `on${Capitalize<KebabToCamel<Verb>>}`
      : never
  ]: (listener: (payload: EventPayload<E>) => void) => Unsubscribe;
};

/**
 * `window.lanrage`: one namespace per area. Today that is
 *
 *   lanrage.app.info(): Promise<AppInfo>
 *   lanrage.app.onState(listener: (event: AppStateEvent) => void): Unsubscribe
 */
export type LanrageBridge = { readonly [A in BridgeArea]: AreaInvokes<A> & AreaEvents<A> };

/** `app:info` → `{ area: 'app', method: 'info' }`; events get `on` + the capitalised verb. */
export function bridgeNameOf(
  channel: string,
  kind: 'invoke' | 'event',
): { area: string; method: string } {
  const [area = '', verb = ''] = channel.split(':');
  const camel = verb.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
  const method = kind === 'invoke' ? camel : `on${camel.charAt(0).toUpperCase()}${camel.slice(1)}`;
  return { area, method };
}
