import { parsed, rejected, type ParseResult } from './parse-result.js';
import { view } from './bytes.js';
import { PROTOCOL_VERSION } from './version.js';

/**
 * Route token: the control server's permission for one member to use one relay route.
 * Signed with the secret the control server shares with every relay, so a relay checks it
 * with no database and no call home; relays scale out by adding machines.
 *
 *  0         1        2              10              14           18            22
 *  +---------+--------+--------------+---------------+------------+-------------+
 *  | version | side   | route id (8) | expires (u32, | party tag  | member tag  |
 *  |  (u8)   | 0 | 1  |              |  unix seconds)| (4)        | (4)         |
 *  +---------+--------+--------------+---------------+------------+-------------+
 *  22                          38
 *  +---------------------------+
 *  | tag (16) = HMAC-SHA256    |
 *  | (secret, label | 0..22)   |
 *  +---------------------------+
 *
 * The party and member tags (HMAC-derived by the control server, opaque to the relay) let a
 * relay hold each party and each member to a share of its route table without knowing who
 * they are (relay route-quotas.ts).
 *
 * The route id is derived by the control server from the party and the two members' keys, so
 * both members' tokens name the same route without talking to each other; side 0 is the member
 * whose public key sorts first. With the token the member also gets a side key,
 * HMAC-SHA256(secret, key-label | bytes 0..14), which never travels to the relay: binds are
 * MACed with it, so a token seen on the wire cannot be replayed to steal a side.
 */
export const ROUTE_TOKEN_LENGTH = 38;
export const ROUTE_TOKEN_SIGNED_LENGTH = 22;
export const ROUTE_OWNER_TAG_LENGTH = 4;
export const ROUTE_ID_LENGTH = 8;
export const ROUTE_TAG_LENGTH = 16;
export const ROUTE_TOKEN_TAG_LABEL = 'lanrage-route-token-v1';
export const ROUTE_SIDE_KEY_LABEL = 'lanrage-route-side-key-v1';

export type RouteSide = 0 | 1;

export interface RouteTokenFields {
  side: RouteSide;
  routeId: Uint8Array;
  /** Unix seconds. */
  expiresAt: number;
  /** Which party the route belongs to, as a 4-byte tag only the control server can link. */
  partyTag: Uint8Array;
  /** Which member holds this side, likewise. */
  memberTag: Uint8Array;
}

export interface RouteToken extends RouteTokenFields {
  /** The 14 signed bytes, for computing the tag and the side key. */
  signed: Uint8Array;
  tag: Uint8Array;
}

/** The 22 bytes the tag covers; the caller appends HMAC(secret, label | these)[0..16]. */
export function encodeRouteTokenBody(fields: RouteTokenFields): Uint8Array {
  if (fields.routeId.length !== ROUTE_ID_LENGTH) throw new RangeError('route id must be 8 bytes');
  if (
    fields.partyTag.length !== ROUTE_OWNER_TAG_LENGTH ||
    fields.memberTag.length !== ROUTE_OWNER_TAG_LENGTH
  ) {
    throw new RangeError('party and member tags must be 4 bytes');
  }
  const out = new Uint8Array(ROUTE_TOKEN_SIGNED_LENGTH);
  out[0] = PROTOCOL_VERSION;
  out[1] = fields.side;
  out.set(fields.routeId, 2);
  view(out).setUint32(10, fields.expiresAt >>> 0);
  out.set(fields.partyTag, 14);
  out.set(fields.memberTag, 18);
  return out;
}

export function parseRouteToken(data: Uint8Array): ParseResult<RouteToken> {
  if (data.length !== ROUTE_TOKEN_LENGTH) {
    return rejected(`route token is ${data.length} bytes; expected ${ROUTE_TOKEN_LENGTH}`);
  }
  if (data[0] !== PROTOCOL_VERSION)
    return rejected(`route token version ${data[0]} is not supported`);
  const side = data[1];
  if (side !== 0 && side !== 1) return rejected(`route token side ${side} is not 0 or 1`);
  return parsed({
    side,
    routeId: data.slice(2, 10),
    expiresAt: view(data).getUint32(10),
    partyTag: data.slice(14, 18),
    memberTag: data.slice(18, 22),
    signed: data.slice(0, ROUTE_TOKEN_SIGNED_LENGTH),
    tag: data.slice(ROUTE_TOKEN_SIGNED_LENGTH),
  });
}
