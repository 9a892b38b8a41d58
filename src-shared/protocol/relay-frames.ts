import { parsed, rejected, type ParseResult } from './parse-result.js';
import { startsWith, view } from './bytes.js';
import { PROTOCOL_VERSION } from './version.js';
import { ROUTE_ID_LENGTH, ROUTE_TOKEN_LENGTH } from './route-token.js';

/**
 * Relay frames, on the same UDP socket as WireGuard, STUN and probes. The magic's first byte,
 * 0xFF, is neither a WireGuard message type (1-4) nor a STUN first byte (top two bits 00).
 *
 *  0            4         5        6
 *  +------------+---------+--------+----------------------------------------------------+
 *  | FF 'L' 'R' 'R' | version | type   | body                                           |
 *  +------------+---------+--------+----------------------------------------------------+
 *
 *  BIND (1), client → relay, 84 bytes: claims one side of a route from this source address.
 *      token (38) | counter (u64) | cookie (16) | mac (16)
 *      counter: the client's estimate of the relay's clock (the control server's time) in unix
 *        microseconds; strictly increasing per side, and refused when more than
 *        BIND_FRESHNESS_MS away from the relay's clock — so a recorded BIND is worthless once
 *        that window has passed, even to a relay that restarted and forgot every counter.
 *      cookie: zero, or the one the relay's CHALLENGE gave this address (return-routability).
 *      mac = HMAC-SHA256(side key, bytes 0..68)[0..16]
 *  BIND_ACK (2), relay → client, 39 bytes (never more than the BIND it answers):
 *      route id (8) | counter (u64, echoed) | flags (u8; bit 0: the other side is bound) | mac (16)
 *      mac = HMAC-SHA256(side key, bytes 0..23)[0..16]
 *  CHALLENGE (4), relay → client, 54 bytes: the BIND came from an address this side is not
 *      bound to; prove you receive at it by sending the BIND again with this cookie. The relay
 *      forwards nothing to, and binds nothing at, an address before that.
 *      route id (8) | counter (u64, echoed) | cookie (16) | mac (16)
 *      mac = HMAC-SHA256(side key, bytes 0..38)[0..16]
 *  BIND_REFUSED (5), relay → client, 39 bytes: a proven, authorised BIND the relay cannot take
 *      (table full, or the party's or member's share used up): choose another relay.
 *      route id (8) | counter (u64, echoed) | reason (u8: 1 full, 2 party share, 3 member
 *      share) | mac (16)
 *      mac = HMAC-SHA256(side key, bytes 0..23)[0..16]
 *  DATA (3), both ways, forwarded unchanged to the other side's last bound address:
 *      route id (8) | payload (a WireGuard message, or a probe)
 */
export const RELAY_MAGIC = new Uint8Array([0xff, 0x4c, 0x52, 0x52]);
export const RELAY_HEADER_LENGTH = 6;
export const RELAY_MAC_LENGTH = 16;

export const RelayFrameType = {
  Bind: 1,
  BindAck: 2,
  Data: 3,
  Challenge: 4,
  BindRefused: 5,
} as const;
export const RELAY_COOKIE_LENGTH = 16;
/** Why a relay refused a BIND (BIND_REFUSED's reason byte). */
export const RelayRefusal = { Full: 1, PartyShare: 2, MemberShare: 3 } as const;
export type RelayRefusalValue = (typeof RelayRefusal)[keyof typeof RelayRefusal];
/**
 * Why 120 s: relay and control server clocks are NTP-synchronised servers, and the client counts
 * from the control server's clock (learned at login and from every heartbeat), so honest BINDs
 * are off by a round trip; two minutes also absorbs a server whose NTP is briefly off.
 */
export const BIND_FRESHNESS_MS = 120_000;
export type RelayFrameTypeValue = (typeof RelayFrameType)[keyof typeof RelayFrameType];

/** BIND fields: token, counter, cookie, then the MAC (see the layout above). */
export const RELAY_BIND_TOKEN_OFFSET = RELAY_HEADER_LENGTH;
export const RELAY_BIND_COUNTER_OFFSET = RELAY_BIND_TOKEN_OFFSET + ROUTE_TOKEN_LENGTH;
export const RELAY_BIND_COOKIE_OFFSET = RELAY_BIND_COUNTER_OFFSET + 8;
export const RELAY_BIND_LENGTH = RELAY_BIND_COOKIE_OFFSET + RELAY_COOKIE_LENGTH + RELAY_MAC_LENGTH;
export const RELAY_CHALLENGE_LENGTH =
  RELAY_HEADER_LENGTH + ROUTE_ID_LENGTH + 8 + RELAY_COOKIE_LENGTH + RELAY_MAC_LENGTH;
export const RELAY_BIND_REFUSED_LENGTH =
  RELAY_HEADER_LENGTH + ROUTE_ID_LENGTH + 8 + 1 + RELAY_MAC_LENGTH;
export const RELAY_BIND_ACK_LENGTH =
  RELAY_HEADER_LENGTH + ROUTE_ID_LENGTH + 8 + 1 + RELAY_MAC_LENGTH;
export const RELAY_DATA_HEADER_LENGTH = RELAY_HEADER_LENGTH + ROUTE_ID_LENGTH;
/** Largest payload a DATA frame may carry: a full 1500-byte UDP datagram less our header. */
export const RELAY_MAX_PAYLOAD = 65507 - RELAY_DATA_HEADER_LENGTH;

export interface RelayBind {
  type: typeof RelayFrameType.Bind;
  token: Uint8Array;
  counter: bigint;
  cookie: Uint8Array;
  /** Bytes the MAC covers. */
  macInput: Uint8Array;
  mac: Uint8Array;
}

export interface RelayBindAck {
  type: typeof RelayFrameType.BindAck;
  routeId: Uint8Array;
  counter: bigint;
  peerBound: boolean;
  macInput: Uint8Array;
  mac: Uint8Array;
}

export interface RelayData {
  type: typeof RelayFrameType.Data;
  routeId: Uint8Array;
  payload: Uint8Array;
}

export interface RelayChallenge {
  type: typeof RelayFrameType.Challenge;
  routeId: Uint8Array;
  counter: bigint;
  cookie: Uint8Array;
  macInput: Uint8Array;
  mac: Uint8Array;
}

export interface RelayBindRefused {
  type: typeof RelayFrameType.BindRefused;
  routeId: Uint8Array;
  counter: bigint;
  reason: RelayRefusalValue;
  macInput: Uint8Array;
  mac: Uint8Array;
}

export type RelayFrame = RelayBind | RelayBindAck | RelayData | RelayChallenge | RelayBindRefused;

/**
 * Where a signed frame's MAC starts: it covers every byte before it (BIND, BIND_ACK, CHALLENGE,
 * BIND_REFUSED).
 */
export function relayMacOffset(frame: Uint8Array): number {
  return frame.length - RELAY_MAC_LENGTH;
}

export function isRelayFrame(data: Uint8Array): boolean {
  return startsWith(data, RELAY_MAGIC);
}

function header(type: RelayFrameTypeValue, length: number): Uint8Array {
  const out = new Uint8Array(length);
  out.set(RELAY_MAGIC, 0);
  out[4] = PROTOCOL_VERSION;
  out[5] = type;
  return out;
}

/** BIND without its MAC; the caller fills bytes 68..84 with HMAC(side key, bytes 0..68). */
export function encodeRelayBindUnsigned(
  token: Uint8Array,
  counter: bigint,
  cookie: Uint8Array | null = null,
): Uint8Array {
  if (token.length !== ROUTE_TOKEN_LENGTH) throw new RangeError('route token must be 38 bytes');
  const out = header(RelayFrameType.Bind, RELAY_BIND_LENGTH);
  out.set(token, RELAY_BIND_TOKEN_OFFSET);
  view(out).setBigUint64(RELAY_BIND_COUNTER_OFFSET, counter);
  if (cookie) {
    if (cookie.length !== RELAY_COOKIE_LENGTH) throw new RangeError('cookie must be 16 bytes');
    out.set(cookie, RELAY_BIND_COOKIE_OFFSET);
  }
  return out;
}

/** CHALLENGE without its MAC; the caller fills the last 16 bytes. */
export function encodeRelayChallengeUnsigned(
  routeId: Uint8Array,
  counter: bigint,
  cookie: Uint8Array,
): Uint8Array {
  const out = header(RelayFrameType.Challenge, RELAY_CHALLENGE_LENGTH);
  out.set(routeId, RELAY_HEADER_LENGTH);
  view(out).setBigUint64(RELAY_HEADER_LENGTH + ROUTE_ID_LENGTH, counter);
  out.set(cookie, RELAY_HEADER_LENGTH + ROUTE_ID_LENGTH + 8);
  return out;
}

/** BIND_REFUSED without its MAC; the caller fills the last 16 bytes. */
export function encodeRelayBindRefusedUnsigned(
  routeId: Uint8Array,
  counter: bigint,
  reason: RelayRefusalValue,
): Uint8Array {
  const out = header(RelayFrameType.BindRefused, RELAY_BIND_REFUSED_LENGTH);
  out.set(routeId, RELAY_HEADER_LENGTH);
  view(out).setBigUint64(RELAY_HEADER_LENGTH + ROUTE_ID_LENGTH, counter);
  out[RELAY_HEADER_LENGTH + ROUTE_ID_LENGTH + 8] = reason;
  return out;
}

/** BIND_ACK without its MAC; the caller fills the last 16 bytes. */
export function encodeRelayBindAckUnsigned(
  routeId: Uint8Array,
  counter: bigint,
  peerBound: boolean,
): Uint8Array {
  const out = header(RelayFrameType.BindAck, RELAY_BIND_ACK_LENGTH);
  out.set(routeId, RELAY_HEADER_LENGTH);
  view(out).setBigUint64(RELAY_HEADER_LENGTH + ROUTE_ID_LENGTH, counter);
  out[RELAY_HEADER_LENGTH + ROUTE_ID_LENGTH + 8] = peerBound ? 1 : 0;
  return out;
}

/** The 14-byte DATA header alone, for senders that gather header and payload without a copy. */
export function encodeRelayDataHeader(routeId: Uint8Array): Uint8Array {
  if (routeId.length !== ROUTE_ID_LENGTH) throw new RangeError('route id must be 8 bytes');
  const out = header(RelayFrameType.Data, RELAY_DATA_HEADER_LENGTH);
  out.set(routeId, RELAY_HEADER_LENGTH);
  return out;
}

export function encodeRelayData(routeId: Uint8Array, payload: Uint8Array): Uint8Array {
  if (payload.length > RELAY_MAX_PAYLOAD) throw new RangeError('relay payload too large');
  const out = new Uint8Array(RELAY_DATA_HEADER_LENGTH + payload.length);
  out.set(encodeRelayDataHeader(routeId), 0);
  out.set(payload, RELAY_DATA_HEADER_LENGTH);
  return out;
}

export function parseRelayFrame(data: Uint8Array): ParseResult<RelayFrame> {
  if (!startsWith(data, RELAY_MAGIC)) return rejected('not a relay frame (bad magic)');
  if (data.length < RELAY_HEADER_LENGTH) return rejected('relay frame shorter than its header');
  if (data[4] !== PROTOCOL_VERSION)
    return rejected(`relay frame version ${data[4]} is not supported`);
  const type = data[5];
  switch (type) {
    case RelayFrameType.Bind: {
      if (data.length !== RELAY_BIND_LENGTH) {
        return rejected(`relay BIND is ${data.length} bytes; expected ${RELAY_BIND_LENGTH}`);
      }
      const macAt = relayMacOffset(data);
      return parsed({
        type,
        token: data.subarray(RELAY_BIND_TOKEN_OFFSET, RELAY_BIND_COUNTER_OFFSET),
        counter: view(data).getBigUint64(RELAY_BIND_COUNTER_OFFSET),
        cookie: data.subarray(
          RELAY_BIND_COOKIE_OFFSET,
          RELAY_BIND_COOKIE_OFFSET + RELAY_COOKIE_LENGTH,
        ),
        macInput: data.subarray(0, macAt),
        mac: data.subarray(macAt),
      });
    }
    case RelayFrameType.BindAck: {
      if (data.length !== RELAY_BIND_ACK_LENGTH) {
        return rejected(
          `relay BIND_ACK is ${data.length} bytes; expected ${RELAY_BIND_ACK_LENGTH}`,
        );
      }
      const macAt = relayMacOffset(data);
      const flags = data[RELAY_HEADER_LENGTH + ROUTE_ID_LENGTH + 8]!;
      if ((flags & ~1) !== 0) return rejected(`relay BIND_ACK has unknown flags ${flags}`);
      return parsed({
        type,
        routeId: data.subarray(RELAY_HEADER_LENGTH, RELAY_HEADER_LENGTH + ROUTE_ID_LENGTH),
        counter: view(data).getBigUint64(RELAY_HEADER_LENGTH + ROUTE_ID_LENGTH),
        peerBound: (flags & 1) === 1,
        macInput: data.subarray(0, macAt),
        mac: data.subarray(macAt),
      });
    }
    case RelayFrameType.Data: {
      if (data.length < RELAY_DATA_HEADER_LENGTH)
        return rejected('relay DATA frame has no route id');
      return parsed({
        type,
        routeId: data.subarray(RELAY_HEADER_LENGTH, RELAY_DATA_HEADER_LENGTH),
        payload: data.subarray(RELAY_DATA_HEADER_LENGTH),
      });
    }
    case RelayFrameType.Challenge: {
      if (data.length !== RELAY_CHALLENGE_LENGTH) {
        return rejected(
          `relay CHALLENGE is ${data.length} bytes; expected ${RELAY_CHALLENGE_LENGTH}`,
        );
      }
      const macAt = relayMacOffset(data);
      const cookieAt = RELAY_HEADER_LENGTH + ROUTE_ID_LENGTH + 8;
      return parsed({
        type,
        routeId: data.subarray(RELAY_HEADER_LENGTH, RELAY_HEADER_LENGTH + ROUTE_ID_LENGTH),
        counter: view(data).getBigUint64(RELAY_HEADER_LENGTH + ROUTE_ID_LENGTH),
        cookie: data.subarray(cookieAt, cookieAt + RELAY_COOKIE_LENGTH),
        macInput: data.subarray(0, macAt),
        mac: data.subarray(macAt),
      });
    }
    case RelayFrameType.BindRefused: {
      if (data.length !== RELAY_BIND_REFUSED_LENGTH) {
        return rejected(
          `relay BIND_REFUSED is ${data.length} bytes; expected ${RELAY_BIND_REFUSED_LENGTH}`,
        );
      }
      const macAt = relayMacOffset(data);
      const reason = data[RELAY_HEADER_LENGTH + ROUTE_ID_LENGTH + 8]!;
      if (reason < 1 || reason > 3)
        return rejected(`relay BIND_REFUSED reason ${reason} is unknown`);
      return parsed({
        type,
        routeId: data.subarray(RELAY_HEADER_LENGTH, RELAY_HEADER_LENGTH + ROUTE_ID_LENGTH),
        counter: view(data).getBigUint64(RELAY_HEADER_LENGTH + ROUTE_ID_LENGTH),
        reason: reason as RelayRefusalValue,
        macInput: data.subarray(0, macAt),
        mac: data.subarray(macAt),
      });
    }
    default:
      return rejected(`relay frame type ${String(type)} is unknown`);
  }
}

// --- In-place readers for the per-packet paths: named offsets, no parsed object, no copy. -----

export const RELAY_VERSION_OFFSET = 4;
export const RELAY_TYPE_OFFSET = 5;
/** DATA and BIND_ACK carry the route id right after the header. */
export const RELAY_ROUTE_ID_OFFSET = RELAY_HEADER_LENGTH;
export const RELAY_DATA_PAYLOAD_OFFSET = RELAY_DATA_HEADER_LENGTH;

const HEX_BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** The type byte of a relay frame of our version; null for anything else. */
export function relayFrameTypeOf(data: Uint8Array): number | null {
  if (data.length < RELAY_HEADER_LENGTH || !startsWith(data, RELAY_MAGIC)) return null;
  if (data[RELAY_VERSION_OFFSET] !== PROTOCOL_VERSION) return null;
  return data[RELAY_TYPE_OFFSET]!;
}

/** A DATA frame of our version with its whole route id (the payload may be empty). */
export function isRelayData(data: Uint8Array): boolean {
  return data.length >= RELAY_DATA_HEADER_LENGTH && relayFrameTypeOf(data) === RelayFrameType.Data;
}

/**
 * The route id of a DATA or BIND_ACK frame as lowercase hex (the key routes are kept under),
 * read in place. The caller has checked the frame is long enough (isRelayData, or its length).
 */
export function relayRouteKeyOf(data: Uint8Array): string {
  let key = '';
  for (let i = RELAY_ROUTE_ID_OFFSET; i < RELAY_ROUTE_ID_OFFSET + ROUTE_ID_LENGTH; i++)
    key += HEX_BYTE[data[i]!]!;
  return key;
}

/** The payload of a DATA frame: a view into the frame, no copy. */
export function relayDataPayload(data: Uint8Array): Uint8Array {
  return data.subarray(RELAY_DATA_PAYLOAD_OFFSET);
}
