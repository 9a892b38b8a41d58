import { isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';
import { isPlainUnicastIpv6, ipv6ToBytes } from './ipv6-text.js';
import {
  DiscoveryStatsSchema,
  SetDiscoveryArgsSchema,
  SetDiscoveryResultSchema,
} from '../discovery/discovery-helper-schemas.js';

/**
 * The JSON layer of the helper protocol (helper/PROTOCOL.md, version 2), as one op map: each op's
 * arguments and result schema. The client derives its types from this map, validates every request
 * before it leaves (so a bad one is an error at its source and never reaches the privileged side)
 * and every response and event that comes back (the helper is trusted with the tunnel, not with
 * the core's memory: a malformed answer is an error, never a crash). Frames: helper-frames.ts.
 */
/**
 * The protocol version this core speaks: its one declaration on the TypeScript side. The Go
 * helper's proto.Version must equal it; both sides' tests check it against the shared vectors'
 * `version` (helper/testdata/protocol-vectors.json), so the two cannot drift apart unnoticed.
 */
export const HELPER_PROTOCOL_VERSION = 2;
/** Request ids are u32, 0 reserved for "the request's id could not be read". */
export const MAX_REQUEST_ID = 4_294_967_295;
/** Limits the helper enforces (PROTOCOL.md "Limits"); checked here so we never ask for more. */
export const MAX_ALLOWED_IPS = 64;
const MIN_MTU = 1280;
const MAX_MTU = 9000;
/** 224.0.0.0/4 and up: multicast and reserved, never a peer. */
const FIRST_MULTICAST_OCTET = 224;

/** 32 bytes in standard base64: 43 characters, the last carrying 4 bits, then one '='. */
const WG_KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
export const WireGuardKeySchema = z.string().regex(WG_KEY, 'must be a WireGuard key (44 base64)');
const Ipv4Schema = z.string().refine((s) => isIPv4(s), 'must be a dotted IPv4 address');
/**
 * A peer's or relay's address (PROTOCOL.md): unicast IPv4, or a plain IPv6 literal — no zone,
 * not IPv4-mapped (that is written as IPv4), not unspecified, not multicast (ff00::/8).
 */
const PeerHostSchema = z
  .string()
  .refine(
    (s) =>
      isIPv4(s)
        ? s !== '0.0.0.0' && Number(s.split('.')[0]) < FIRST_MULTICAST_OCTET
        : isIPv6(s) && !s.includes('%') && isPlainUnicastIpv6(ipv6ToBytes(s)),
    'must be a unicast IPv4 or IPv6 address',
  );
const PortSchema = z.number().int().min(1).max(65_535);
/** A probe socket's index (PROTOCOL.md "Port probing"); 0 is the public socket, never named. */
const ProbeSocketSchema = z.number().int().min(1).max(65_535);
/** Probe sockets one probe-open may ask for (PROTOCOL.md limits). */
export const MAX_HELPER_PROBE_SOCKETS = 256;
/** Probe sockets open at once, and so named by one probe-close at most. */
const MAX_OPEN_PROBE_SOCKETS = 288;
const RouteIdSchema = z.string().regex(/^[0-9a-f]{16}$/, 'must be 16 lowercase hex digits');
const InterfaceNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,15}$/, 'must be 1-15 of A-Z a-z 0-9 _ . -')
  .refine((s) => s !== '.' && s !== '..', 'must not be "." or ".."');

function ipv4ToInt(s: string): number {
  return s.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

/** `a.b.c.d/n` with no host bits set (the helper refuses 10.66.0.2/16). */
const CidrSchema = z.string().refine((s) => {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(s);
  if (!m || !isIPv4(m[1]!)) return false;
  const bits = Number(m[2]);
  if (bits > 32) return false;
  const hostBits = 32 - bits;
  return hostBits === 32 ? ipv4ToInt(m[1]!) === 0 : ipv4ToInt(m[1]!) % 2 ** hostBits === 0;
}, 'must be an IPv4 CIDR without host bits, e.g. 10.66.0.2/32');

export const HelperPathSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({
    kind: z.literal('direct'),
    host: PeerHostSchema,
    port: PortSchema,
    socket: ProbeSocketSchema.optional(),
  }),
  z.strictObject({
    kind: z.literal('lan'),
    host: PeerHostSchema,
    port: PortSchema,
    socket: ProbeSocketSchema.optional(),
  }),
  z.strictObject({
    kind: z.literal('relay'),
    host: PeerHostSchema,
    port: PortSchema,
    routeId: RouteIdSchema,
  }),
]);
export type HelperPath = z.infer<typeof HelperPathSchema>;

const Counter = z.number().int().min(0);
const SocketStatsSchema = z.object({
  wireguardIn: Counter,
  wireguardOut: Counter,
  upToCore: Counter,
  upDropped: Counter,
  droppedUnknownSource: Counter,
  droppedUnknownKind: Counter,
  droppedNoPath: Counter,
  sendErrors: Counter,
  /** Probe sockets open now (port probing). */
  probeSockets: Counter,
});
const PeerStatsSchema = z.object({
  peer: WireGuardKeySchema,
  path: HelperPathSchema,
  wireguardIn: Counter,
  wireguardOut: Counter,
  lastHandshakeMs: Counter,
  rxBytes: Counter,
  txBytes: Counter,
});
export type HelperStats = z.infer<typeof HelperStatsSchema>;
const HelperStatsSchema = z.object({
  socket: SocketStatsSchema,
  peers: z.array(PeerStatsSchema),
  // Game discovery (PROTOCOL.md, "Game discovery"); absent from a helper that predates it.
  discovery: DiscoveryStatsSchema.optional(),
});
const Empty = z.object({});

/** Every op: its arguments (what goes beside `id` and `op`) and its result. */
export const HELPER_OPS = {
  hello: {
    args: z.strictObject({ version: z.number().int() }),
    result: z.object({
      version: z.number().int(),
      helper: z.string().max(200),
      pid: z.number().int(),
    }),
  },
  open: {
    args: z.strictObject({
      interface: InterfaceNameSchema,
      privateKey: WireGuardKeySchema,
      listenPort: z.number().int().min(0).max(65_535),
      listenHost: Ipv4Schema.optional(),
      mtu: z.number().int().min(MIN_MTU).max(MAX_MTU).optional(),
    }),
    result: z.object({
      interface: InterfaceNameSchema,
      listenPort: PortSchema,
      publicKey: WireGuardKeySchema,
      /** The socket is dual-stack: IPv6 candidates, paths and sends work (PROTOCOL.md "IPv6"). */
      ipv6: z.boolean(),
    }),
  },
  'set-address': {
    args: z.strictObject({ address: Ipv4Schema, prefixLength: z.number().int().min(8).max(32) }),
    result: Empty,
  },
  /** Leaving a party: the interface goes down without its address until the next set-address. */
  'clear-address': { args: z.strictObject({}), result: Empty },
  'set-peer': {
    args: z.strictObject({
      peer: WireGuardKeySchema,
      allowedIps: z.array(CidrSchema).max(MAX_ALLOWED_IPS),
      persistentKeepalive: z.number().int().min(0).max(65_535),
      presharedKey: WireGuardKeySchema.optional(),
    }),
    result: Empty,
  },
  'remove-peer': { args: z.strictObject({ peer: WireGuardKeySchema }), result: Empty },
  'set-path': {
    args: z.strictObject({ peer: WireGuardKeySchema, path: HelperPathSchema }),
    result: Empty,
  },
  'accept-direct': {
    args: z.strictObject({
      peer: WireGuardKeySchema,
      host: PeerHostSchema,
      port: PortSchema,
      socket: ProbeSocketSchema.optional(),
    }),
    result: Empty,
  },
  'accept-route': {
    args: z.strictObject({ peer: WireGuardKeySchema, routeId: RouteIdSchema }),
    result: Empty,
  },
  'resend-handshake': {
    args: z.strictObject({ peer: WireGuardKeySchema }),
    result: z.object({ resent: z.boolean() }),
  },
  'set-discovery': { args: SetDiscoveryArgsSchema, result: SetDiscoveryResultSchema },
  'probe-open': {
    args: z.strictObject({ count: z.number().int().min(1).max(MAX_HELPER_PROBE_SOCKETS) }),
    result: z.object({
      sockets: z
        .array(z.strictObject({ socket: ProbeSocketSchema, port: PortSchema }))
        .max(MAX_HELPER_PROBE_SOCKETS),
    }),
  },
  'probe-close': {
    args: z.strictObject({
      sockets: z.array(ProbeSocketSchema).max(MAX_OPEN_PROBE_SOCKETS),
    }),
    result: z.object({ closed: Counter }),
  },
  stats: { args: z.strictObject({}), result: HelperStatsSchema },
  close: { args: z.strictObject({}), result: Empty },
} as const;

export type HelperOp = keyof typeof HELPER_OPS;
export type HelperArgs<Op extends HelperOp> = z.input<(typeof HELPER_OPS)[Op]['args']>;
export type HelperResult<Op extends HelperOp> = z.infer<(typeof HELPER_OPS)[Op]['result']>;

export const HELPER_ERROR_CODES = [
  'bad-frame',
  'bad-json',
  'bad-args',
  'unknown-op',
  'not-hello',
  'version',
  'not-open',
  'already-open',
  'unknown-peer',
  'too-many',
  'bad-send',
  'unsupported',
  'os',
] as const;
export type HelperErrorCode = (typeof HELPER_ERROR_CODES)[number];

const RequestIdSchema = z.number().int().min(1).max(MAX_REQUEST_ID);
const ErrorBodySchema = z.object({
  // An unknown code from a newer helper is still an error; it is reported as it came.
  code: z.string().max(64),
  message: z.string().max(4_096),
});

/** A response before its result is checked against its op's schema (the client knows the op). */
export const HelperResponseSchema = z.union([
  z.strictObject({
    id: z.number().int().min(0).max(MAX_REQUEST_ID),
    ok: z.literal(true),
    result: z.unknown(),
  }),
  z.strictObject({
    id: z.number().int().min(0).max(MAX_REQUEST_ID),
    ok: z.literal(false),
    error: ErrorBodySchema,
  }),
]);
export type HelperResponse = z.infer<typeof HelperResponseSchema>;

/** Events the core knows; others are ignored (PROTOCOL.md: new events need no new version). */
export const HelperEventSchema = z.object({
  event: z.literal('error'),
  code: z.string().max(64),
  message: z.string().max(4_096),
});
export type HelperEvent = z.infer<typeof HelperEventSchema>;

/**
 * Checks a whole request as the helper would (id, op, then the op's arguments, unknown fields
 * refused) and returns the helper's error code for it, or null when it is valid.
 */
export function checkRequest(request: unknown): { code: HelperErrorCode; message: string } | null {
  if (typeof request !== 'object' || request === null || Array.isArray(request))
    return { code: 'bad-json', message: 'a request is a JSON object' };
  const { id, op, ...args } = request as Record<string, unknown>;
  const idCheck = RequestIdSchema.safeParse(id);
  if (!idCheck.success) return { code: 'bad-args', message: 'id must be an integer 1-4294967295' };
  if (typeof op !== 'string' || !Object.hasOwn(HELPER_OPS, op))
    return { code: 'unknown-op', message: `unknown op ${JSON.stringify(op)}` };
  const checked = HELPER_OPS[op as HelperOp].args.safeParse(args);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : (issue?.code ?? 'arguments');
    return { code: 'bad-args', message: `${op}: ${where}: ${issue?.message ?? 'invalid'}` };
  }
  return null;
}

/** Parses a response body; null when it is not a well-formed response. */
export function parseResponse(body: Buffer): HelperResponse | null {
  return parseJson(body, HelperResponseSchema);
}

/** Parses an event body; null when it is malformed or an event this core does not know. */
export function parseEvent(body: Buffer): HelperEvent | null {
  return parseJson(body, HelperEventSchema);
}

function parseJson<T>(body: Buffer, schema: z.ZodType<T>): T | null {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  const checked = schema.safeParse(value);
  return checked.success ? checked.data : null;
}
