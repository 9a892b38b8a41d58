import { hmacSha256, mac16, macEqual } from '../../src-common/crypto/mac.js';
import {
  encodeRouteTokenBody,
  parseRouteToken,
  ROUTE_ID_LENGTH,
  ROUTE_OWNER_TAG_LENGTH,
  ROUTE_SIDE_KEY_LABEL,
  ROUTE_TOKEN_TAG_LABEL,
  type RouteSide,
  type RouteToken,
} from '../../src-shared/protocol/route-token.js';
import type { RouteGrant } from '../../src-shared/protocol/control-messages.js';
import { parsed, rejected, type ParseResult } from '../../src-shared/protocol/parse-result.js';

/** Signing and checking route tokens; the control server signs, relays check (route-token.ts). */

const ROUTE_ID_LABEL = 'lanrage-route-id-v1';
const PARTY_TAG_LABEL = 'lanrage-route-party-tag-v1';
const MEMBER_TAG_LABEL = 'lanrage-route-member-tag-v1';

/** The same 8 bytes for both members of a pair, whichever asks first. */
export function routeIdFor(
  secret: Uint8Array,
  partyId: string,
  keyA: string,
  keyB: string,
): Buffer {
  const [first, second] = keyA < keyB ? [keyA, keyB] : [keyB, keyA];
  return hmacSha256(secret, ROUTE_ID_LABEL, partyId, '\0', first, '\0', second).subarray(
    0,
    ROUTE_ID_LENGTH,
  );
}

export function sideFor(ownKey: string, peerKey: string): RouteSide {
  return ownKey < peerKey ? 0 : 1;
}

export function sideKeyFor(secret: Uint8Array, signedBody: Uint8Array): Buffer {
  return hmacSha256(secret, ROUTE_SIDE_KEY_LABEL, signedBody);
}

export function issueRouteGrant(
  secret: Uint8Array,
  partyId: string,
  ownKey: string,
  peerKey: string,
  expiresAt: number,
): RouteGrant {
  const routeId = routeIdFor(secret, partyId, ownKey, peerKey);
  const side = sideFor(ownKey, peerKey);
  const body = encodeRouteTokenBody({
    side,
    routeId,
    expiresAt,
    partyTag: hmacSha256(secret, PARTY_TAG_LABEL, partyId).subarray(0, ROUTE_OWNER_TAG_LENGTH),
    memberTag: hmacSha256(secret, MEMBER_TAG_LABEL, ownKey).subarray(0, ROUTE_OWNER_TAG_LENGTH),
  });
  const tag = mac16(secret, ROUTE_TOKEN_TAG_LABEL, body);
  return {
    routeId: routeId.toString('hex'),
    side,
    token: Buffer.concat([body, tag]).toString('base64'),
    sideKey: sideKeyFor(secret, body).toString('base64'),
    expiresAt,
  };
}

export interface VerifiedRouteToken extends RouteToken {
  sideKey: Buffer;
}

/** Checks a token's tag and expiry with no state; `nowSeconds` from the caller's clock. */
export function verifyRouteToken(
  secret: Uint8Array,
  token: Uint8Array,
  nowSeconds: number,
): ParseResult<VerifiedRouteToken> {
  const result = parseRouteToken(token);
  if (!result.ok) return result;
  const expected = mac16(secret, ROUTE_TOKEN_TAG_LABEL, result.value.signed);
  if (!macEqual(expected, result.value.tag)) return rejected('route token signature is wrong');
  if (result.value.expiresAt < nowSeconds) return rejected('route token has expired');
  return parsed({ ...result.value, sideKey: sideKeyFor(secret, result.value.signed) });
}
