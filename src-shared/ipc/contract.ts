import { z } from 'zod';
import {
  CoreStatusSchema,
  PartyStatusSchema,
  RelayStatusSchema,
} from '../domain/core-status-schema.js';

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
 * - The web-mode bridge (src-main/web/) implements the same `LanrageBridge` over a loopback
 *   WebSocket, and the local API (`lanrage status` etc.) carries the same channels over a Unix
 *   socket. Every transport answers an invoke with an InvokeOutcome (value, or error code +
 *   message) built by dispatchInvoke (contract-dispatch.ts).
 *
 * Channels are namespaced `area:verb` (kebab-case verb); the bridge turns `app:info` into
 * `lanrage.app.info()` and the event `app:state` into `lanrage.app.onState(listener)`.
 */

/** `area:verb`, lowercase, kebab-case verb; one area per domain (app, party, relays, settings…). */
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

/**
 * The overall state, and when the service cannot run a party at all (the privileged helper was
 * refused, the control server is unreachable at start), why — in words for the user.
 */
export const AppStateEventSchema = z.strictObject({
  state: AppStateSchema,
  problem: z.string().max(1_000).nullable().optional(),
});
export type AppStateEvent = z.infer<typeof AppStateEventSchema>;

/** A request that takes no argument: the renderer may send nothing else. */
const NoRequest = z.undefined();

/** Party names: what `lanrage up --create` accepts (the control server caps it at 64). */
export const PartyNameSchema = z.string().trim().min(1, 'give the party a name').max(64);

/**
 * What a person typed as an invite code. Only the length is bounded here: normalising (case,
 * dashes, O/0, I/L/1) happens in the core with normalizeInviteCode, the CLI's rules, so a bad
 * code gets the same message in every face.
 */
export const InviteCodeInputSchema = z.strictObject({ inviteCode: z.string().max(40) });

/**
 * The settings a user may change from the app. Each field is checked again by main against the
 * core's config schema (src-main/core/config/config-schema.ts), which names the field in its
 * message; these bounds only keep garbage from crossing the boundary.
 */
export const EditableSettingsSchema = z.strictObject({
  controlUrl: z.string().max(512),
  name: z.string().max(64),
  monitorIntervalMs: z.number().int(),
  degradedThresholdMs: z.number().int(),
  reconnectAttempts: z.number().int(),
  failedCleanupMs: z.number().int(),
  /** Carry LAN games' discovery broadcasts and multicasts to the party (issue 11). */
  discovery: z.boolean(),
});
export type EditableSettings = z.infer<typeof EditableSettingsSchema>;

export const SettingsViewSchema = z.strictObject({
  settings: EditableSettingsSchema,
  /** Fields whose saved value takes effect only when LANrage restarts. */
  restartNeeded: z.array(z.string().max(64)).max(16),
  /** The saved settings file was refused (by field); the values shown are the defaults in use. */
  fileProblem: z.string().max(1_000).nullable(),
});
export type SettingsView = z.infer<typeof SettingsViewSchema>;

export const RelayListSchema = z.array(RelayStatusSchema).max(64);

/** Bounds what one logs:recent call may return: enough for a bug report, small for IPC. */
export const MAX_LOG_LINES = 500;
export const LogLinesSchema = z.strictObject({
  lines: z.array(z.string().max(4_000)).max(MAX_LOG_LINES),
});

export const DiagnosticsSchema = z.strictObject({
  fileName: z.string().regex(/^[a-z0-9-]+\.json$/),
  /** JSON: status, config without secrets, the last log lines. */
  content: z.string().max(4_000_000),
});
export type Diagnostics = z.infer<typeof DiagnosticsSchema>;

/** Request → Promise channels the renderer may call. */
export const invokeContract = {
  'app:info': { request: NoRequest, response: AppInfoSchema },
  'party:status': { request: NoRequest, response: CoreStatusSchema },
  'party:create': {
    request: z.strictObject({ name: PartyNameSchema }),
    response: PartyStatusSchema,
  },
  'party:join': { request: InviteCodeInputSchema, response: PartyStatusSchema },
  'party:leave': { request: NoRequest, response: z.strictObject({ left: z.boolean() }) },
  'relays:list': { request: z.strictObject({ measure: z.boolean() }), response: RelayListSchema },
  'relays:use': {
    request: z.strictObject({ id: z.string().min(1).max(64) }),
    response: RelayListSchema,
  },
  'relays:auto': { request: NoRequest, response: RelayListSchema },
  'settings:get': { request: NoRequest, response: SettingsViewSchema },
  'settings:set': { request: EditableSettingsSchema, response: SettingsViewSchema },
  'logs:recent': {
    request: z.strictObject({ limit: z.number().int().min(1).max(MAX_LOG_LINES) }),
    response: LogLinesSchema,
  },
  'diagnostics:export': { request: NoRequest, response: DiagnosticsSchema },
} as const satisfies Record<string, { request: z.ZodType; response: z.ZodType }>;

/** Events the core pushes to the renderer. */
export const eventContract = {
  'app:state': AppStateEventSchema,
  /** The whole status, coalesced: at most STATUS_PUSH_MIN_INTERVAL_MS apart. */
  'party:status': CoreStatusSchema,
  /** Main asks the window to show a view (the tray's Settings… and All peers… items). */
  'app:navigate': z.strictObject({ view: z.enum(['party', 'peers', 'settings', 'logs']) }),
} as const satisfies Record<string, z.ZodType>;

/**
 * Status pushes are coalesced to at most four a second: enough for a latency figure to feel live,
 * few enough that a 32-member party costs main and the renderer nothing noticeable.
 */
export const STATUS_PUSH_MIN_INTERVAL_MS = 250;

/**
 * Why a call failed, as a code the UI can act on (never parsed from a message) and a sentence
 * for the user. Every transport (Electron IPC, the web bridge, the local API) carries the same.
 */
export const SERVICE_ERROR_CODES = [
  'bad-request',
  'refused',
  'bad-invite',
  'not-in-party',
  'already-in-party',
  'control-unreachable',
  'bad-setting',
  'unknown-relay',
  'unavailable',
  'internal',
] as const;
export type ServiceErrorCode = (typeof SERVICE_ERROR_CODES)[number];

export const InvokeOutcomeSchema = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), value: z.unknown() }),
  z.strictObject({
    ok: z.literal(false),
    error: z.strictObject({ code: z.enum(SERVICE_ERROR_CODES), message: z.string().max(2_000) }),
  }),
]);
export type InvokeOutcome = z.infer<typeof InvokeOutcomeSchema>;

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
 * `window.lanrage`: one namespace per area, e.g.
 *
 *   lanrage.app.info(): Promise<AppInfo>
 *   lanrage.party.join({ inviteCode }): Promise<PartyStatus>
 *   lanrage.party.onStatus(listener: (status: CoreStatus) => void): Unsubscribe
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
