import { z } from 'zod';
import { canonicalIp } from '../domain/announced-endpoint.js';
import { checkDisplayName } from '../domain/display-name.js';
import { parseEndpoint } from '../domain/endpoint.js';
import { NAT_TYPES } from '../domain/nat-type.js';
import { PROTOCOL_VERSION } from './version.js';
import { parsed, rejected, type ParseResult } from './parse-result.js';

/**
 * Control protocol: JSON over one WebSocket per client (`/v1/ws`), push both ways, no polling.
 *
 *   server → client  hello    { serverKey, nonce, stun }           on connect
 *   client → server  auth     { publicKey, proof }                 proof of the WireGuard key
 *   server → client  welcome  { you, party, relays, serverTime }   or an error and close
 *   client → server  req      { id, op, ... }                      one of RequestSchema
 *   server → client  res      { id, ok, result | error }           one per req, same id
 *   server → client  event    { event, ... }                       membership, signals, relays
 *
 * Auth: the client shows it holds the WireGuard private key for `publicKey` without sending it:
 *   proof = HMAC-SHA256(X25519(clientPrivate, serverKey), AUTH_LABEL | nonce | publicKey | serverKey)
 * The server computes the same shared secret from its private key and the client's public key.
 * The nonce is fresh per connection, so a recorded proof is worthless.
 */
export const AUTH_LABEL = 'lanrage-auth-v1';
/** Largest control message either side accepts; members and signals are small. */
export const MAX_CONTROL_MESSAGE_BYTES = 16 * 1024;

const base64Key = z
  .string()
  .regex(
    /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/,
    'must be a 32-byte key in base64 (44 characters)',
  );
const base64Nonce = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 bytes in base64');

export const PublicKeySchema = base64Key;
export const NatTypeSchema = z.enum(NAT_TYPES);

function endpointSchema(allowHostname: boolean) {
  return z.string().superRefine((text, ctx) => {
    const result = parseEndpoint(text, { allowHostname });
    if (!result.ok) ctx.addIssue({ code: 'custom', message: result.error });
  });
}
/** "ip:port" a peer can be reached at; names are refused (peers exchange addresses). */
export const EndpointSchema = endpointSchema(false);
/** "host:port" for servers (relays, STUN), where a name is allowed. */
export const ServerEndpointSchema = endpointSchema(true);

/** NFC, trimmed, no control/bidi/invisible characters (display-name.ts says why). */
const displayName = z.string().transform((s, ctx) => {
  const checked = checkDisplayName(s);
  if (checked.ok) return checked.value;
  ctx.addIssue({ code: 'custom', message: checked.error });
  return z.NEVER;
});

/**
 * A UDP port the member's router mapped for it (NAT-PMP, PCP or UPnP IGD): packets from anyone to
 * `endpoint` reach the member, so a peer behind any NAT can open a direct path by sending there.
 */
export const PortMappingInfoSchema = z.strictObject({
  endpoint: EndpointSchema,
  protocol: z.enum(['pcp', 'nat-pmp', 'upnp']),
});
export type PortMappingInfo = z.infer<typeof PortMappingInfoSchema>;

/**
 * What a member says about itself. Strict: a member cannot send `seenIp` (or anything else the
 * server stamps); such a message is refused as malformed and changes nothing.
 */
export const MemberInfoSchema = z.strictObject({
  natType: NatTypeSchema,
  publicEndpoint: EndpointSchema.nullable(),
  localCandidates: z.array(EndpointSchema).max(8, 'at most 8 local candidates'),
  /** Absent from clients older than port mapping; null when the router mapped nothing. */
  portMapping: PortMappingInfoSchema.nullable().optional(),
});
export type MemberInfo = z.infer<typeof MemberInfoSchema>;

/** An IP literal as canonicalIp writes it (IPv4-mapped IPv6 as IPv4, IPv6 in RFC 5952 form). */
const SeenIpSchema = z
  .string()
  .refine((s) => canonicalIp(s) === s, 'must be an IP address in canonical form');

export const MemberSchema = z.strictObject({
  publicKey: PublicKeySchema,
  name: displayName,
  virtualIp: z.string(),
  natType: NatTypeSchema,
  publicEndpoint: EndpointSchema.nullable(),
  localCandidates: z.array(EndpointSchema),
  /** Absent from servers older than port mapping. */
  portMapping: PortMappingInfoSchema.nullable().optional(),
  /**
   * The IP the control server sees this member's connection come from, stamped by the server and
   * never taken from the member (MemberInfo has no such field, and is a strict object). Peers aim
   * port probing only at a `publicEndpoint` on this IP (announced-endpoint.ts). Absent from
   * servers older than this; null when the server has not seen the member connect since.
   */
  seenIp: SeenIpSchema.nullable().optional(),
  online: z.boolean(),
  /** Unix milliseconds. */
  joinedAt: z.number().int(),
  lastSeen: z.number().int(),
});
export type Member = z.infer<typeof MemberSchema>;

export const PartySchema = z.strictObject({
  id: z.string(),
  name: displayName,
  inviteCode: z.string(),
  createdAt: z.number().int(),
  maxMembers: z.number().int(),
  members: z.array(MemberSchema),
});
export type Party = z.infer<typeof PartySchema>;

export const RelayInfoSchema = z.strictObject({
  id: z.string().min(1).max(64),
  region: z.string().max(64),
  endpoint: ServerEndpointSchema,
  /** 0 (idle) … 1 (full), as the relay reports it. */
  load: z.number().min(0).max(1),
  healthy: z.boolean(),
  lastSeen: z.number().int(),
});
export type RelayInfo = z.infer<typeof RelayInfoSchema>;

/** Hole-punch timing and path news between two members, passed through the server as is. */
export const SignalSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('punch'),
    /** Both sides start probing at this server time (unix ms), so both NATs open together. */
    at: z.number().int().nonnegative(),
    attempt: z.number().int().min(0).max(100),
  }),
  z.strictObject({
    kind: z.literal('punch-ack'),
    at: z.number().int().nonnegative(),
    attempt: z.number().int().min(0).max(100),
  }),
  z.strictObject({
    /**
     * Both members of a route must bind at the same relay: side 0 picks (by its measured
     * latencies, or the user's pin) and tells side 1; `epoch` grows with every switch so a late
     * message never undoes a newer choice.
     */
    kind: z.literal('relay'),
    relayId: z.string().min(1).max(64),
    epoch: z.number().int().min(0),
  }),
]);
export type Signal = z.infer<typeof SignalSchema>;

const partyId = z.string().regex(/^[a-z0-9]{16}$/, 'is not a party id');
const partyName = displayName;

export const HelloSchema = z.strictObject({
  t: z.literal('hello'),
  v: z.literal(PROTOCOL_VERSION),
  serverKey: base64Key,
  nonce: base64Nonce,
  stun: z.array(ServerEndpointSchema),
});
export type Hello = z.infer<typeof HelloSchema>;

export const AuthSchema = z.strictObject({
  t: z.literal('auth'),
  v: z.literal(PROTOCOL_VERSION),
  publicKey: base64Key,
  proof: base64Nonce,
});
export type Auth = z.infer<typeof AuthSchema>;

export const WelcomeSchema = z.strictObject({
  t: z.literal('welcome'),
  you: PublicKeySchema,
  party: PartySchema.nullable(),
  relays: z.array(RelayInfoSchema),
  serverTime: z.number().int(),
});
export type Welcome = z.infer<typeof WelcomeSchema>;

export const RouteGrantSchema = z.strictObject({
  /** Hex, 16 characters. */
  routeId: z.string().regex(/^[0-9a-f]{16}$/),
  side: z.union([z.literal(0), z.literal(1)]),
  /** Base64 of the 30-byte token (see route-token.ts). */
  token: z.string(),
  /** Base64 of the 32-byte side key; never sent to a relay. */
  sideKey: z.string(),
  /** Unix seconds. */
  expiresAt: z.number().int(),
});
export type RouteGrant = z.infer<typeof RouteGrantSchema>;

const noParams = z.strictObject({});

/** Exactly `bytes` bytes in base64 (the length check is what keeps hostile input bounded). */
const base64Of = (bytes: number) =>
  z
    .string()
    .length(4 * Math.ceil(bytes / 3))
    .regex(/^[A-Za-z0-9+/]+={0,2}$/);
const proofBits = z.number().int().min(1).max(32);
const JoinProofSchema = z.strictObject({ seed: base64Of(32), nonce: base64Of(8), bits: proofBits });

/**
 * The control protocol's requests, declared once (as src-shared/ipc/contract.ts declares the IPC
 * contract): each op's params and the result it answers with on success. The wire schema of a
 * request (RequestSchema), the server's handler types (ws-session.ts) and the client's typed
 * `request(op, params)` with its check of every answer (control-client.ts) all derive from it.
 */
export const controlOps = {
  'party.create': {
    params: z.strictObject({ partyName, memberName: displayName, member: MemberInfoSchema }),
    result: z.strictObject({ party: PartySchema }),
  },
  'party.join': {
    params: z.strictObject({
      inviteCode: z.string().max(40),
      memberName: displayName,
      member: MemberInfoSchema,
      /** Only when the server answered `proof_required` (src-common/crypto/join-proof.ts). */
      proof: JoinProofSchema.optional(),
    }),
    result: z.strictObject({ party: PartySchema }),
  },
  /** A join-proof seed for this key, asked for after a `proof_required` refusal. */
  'join.challenge': {
    params: noParams,
    result: z.strictObject({ seed: base64Of(32), bits: proofBits }),
  },
  'party.leave': {
    params: z.strictObject({ partyId }),
    result: z.record(z.string(), z.never()),
  },
  'member.update': {
    params: z.strictObject({ partyId, member: MemberInfoSchema }),
    result: z.strictObject({ member: MemberSchema }),
  },
  signal: {
    params: z.strictObject({ partyId, to: PublicKeySchema, signal: SignalSchema }),
    result: z.strictObject({ delivered: z.boolean() }),
  },
  'route.token': {
    params: z.strictObject({ partyId, peer: PublicKeySchema }),
    result: RouteGrantSchema,
  },
  'relays.list': {
    params: noParams,
    result: z.strictObject({ relays: z.array(RelayInfoSchema) }),
  },
  heartbeat: {
    params: noParams,
    result: z.strictObject({ serverTime: z.number().int() }),
  },
} as const satisfies Record<string, { params: z.ZodObject; result: z.ZodType }>;

export type RequestOp = keyof typeof controlOps;
/** What a caller passes for an op (the envelope — t, id, op — is the client's). */
export type ParamsOf<Op extends RequestOp> = z.input<(typeof controlOps)[Op]['params']>;
/** Ops whose params are empty may be called without them: `request('heartbeat')`. */
export type ParamsArgs<Op extends RequestOp> =
  Record<string, never> extends ParamsOf<Op> ? [params?: ParamsOf<Op>] : [params: ParamsOf<Op>];
/** What each op answers with on success. */
export type ResultByOp = { [Op in RequestOp]: z.infer<(typeof controlOps)[Op]['result']> };

const requestId = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31);

/** Each op's request on the wire: its params inside the request envelope (t, id, op). */
const envelope = { t: z.literal('req'), id: requestId };
const ops = controlOps;
export const RequestSchema = z.discriminatedUnion('op', [
  ops['party.create'].params.extend({ ...envelope, op: z.literal('party.create') }),
  ops['party.join'].params.extend({ ...envelope, op: z.literal('party.join') }),
  ops['join.challenge'].params.extend({ ...envelope, op: z.literal('join.challenge') }),
  ops['party.leave'].params.extend({ ...envelope, op: z.literal('party.leave') }),
  ops['member.update'].params.extend({ ...envelope, op: z.literal('member.update') }),
  ops.signal.params.extend({ ...envelope, op: z.literal('signal') }),
  ops['route.token'].params.extend({ ...envelope, op: z.literal('route.token') }),
  ops['relays.list'].params.extend({ ...envelope, op: z.literal('relays.list') }),
  ops.heartbeat.params.extend({ ...envelope, op: z.literal('heartbeat') }),
]);
export type Request = z.infer<typeof RequestSchema>;
/** Compile-time check that every op of the map is on the wire (and nothing else). */
type AssertTrue<T extends true> = T;
export type _EveryOpOnTheWire = AssertTrue<
  [RequestOp] extends [Request['op']] ? ([Request['op']] extends [RequestOp] ? true : false) : false
>;

export const ERROR_CODES = [
  'bad_message',
  'too_large',
  'rate_limited',
  'unauthenticated',
  'unsupported_version',
  'not_member',
  'already_in_party',
  'party_full',
  'bad_invite',
  'proof_required',
  'unknown_peer',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ErrorBodySchema = z.strictObject({
  code: z.enum(ERROR_CODES),
  message: z.string(),
});

export const ResponseSchema = z.discriminatedUnion('ok', [
  z.strictObject({ t: z.literal('res'), id: requestId, ok: z.literal(true), result: z.unknown() }),
  z.strictObject({
    t: z.literal('res'),
    id: requestId,
    ok: z.literal(false),
    error: ErrorBodySchema,
  }),
]);

/** An error not tied to a request (bad JSON, failed auth); `id` when the request id was readable. */
export const ErrorMessageSchema = z.strictObject({
  t: z.literal('error'),
  id: requestId.optional(),
  error: ErrorBodySchema,
});

export const EventSchema = z.discriminatedUnion('event', [
  z.strictObject({
    t: z.literal('event'),
    event: z.literal('member.joined'),
    partyId,
    member: MemberSchema,
  }),
  z.strictObject({
    t: z.literal('event'),
    event: z.literal('member.updated'),
    partyId,
    member: MemberSchema,
  }),
  z.strictObject({
    t: z.literal('event'),
    event: z.literal('member.left'),
    partyId,
    publicKey: PublicKeySchema,
    reason: z.enum(['left', 'expired']),
  }),
  z.strictObject({
    t: z.literal('event'),
    event: z.literal('signal'),
    partyId,
    from: PublicKeySchema,
    signal: SignalSchema,
  }),
  z.strictObject({
    t: z.literal('event'),
    event: z.literal('relays.changed'),
    relays: z.array(RelayInfoSchema),
  }),
]);
export type ControlEvent = z.infer<typeof EventSchema>;

export const ClientMessageSchema = z.discriminatedUnion('t', [AuthSchema, RequestSchema]);
export const ServerMessageSchema = z.discriminatedUnion('t', [
  HelloSchema,
  WelcomeSchema,
  ResponseSchema,
  ErrorMessageSchema,
  EventSchema,
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;

/** Registration and heartbeat a relay POSTs to `/v1/relays/heartbeat`, signed with the shared secret. */
export const RELAY_REGISTRATION_LABEL = 'lanrage-relay-registration-v1';
export const RELAY_SIGNATURE_HEADER = 'x-lanrage-signature';
export const RelayRegistrationSchema = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, ".", "_" or "-"'),
  region: z.string().max(64),
  endpoint: ServerEndpointSchema,
  load: z.number().min(0).max(1),
  /** Unix ms; the control server refuses registrations more than a minute off its clock (replays). */
  sentAt: z.number().int(),
});
export type RelayRegistration = z.infer<typeof RelayRegistrationSchema>;

/** First issue in a zod error, as "field: reason". */
export function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid message';
  const path = issue.path.length > 0 ? issue.path.join('.') : 'message';
  return `${path}: ${issue.message}`;
}

/** Parses one untrusted text frame with a schema: JSON first, then shape. Never throws. */
export function parseJsonMessage<T>(schema: z.ZodType<T>, text: string): ParseResult<T> {
  if (text.length > MAX_CONTROL_MESSAGE_BYTES) {
    return rejected(`message is ${text.length} bytes; the limit is ${MAX_CONTROL_MESSAGE_BYTES}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return rejected('message is not valid JSON');
  }
  const result = schema.safeParse(json);
  return result.success ? parsed(result.data) : rejected(describeZodError(result.error));
}
