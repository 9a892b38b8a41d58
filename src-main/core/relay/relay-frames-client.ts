import { relayFrameMacValid, signRelayFrame } from '../../../src-common/crypto/relay-frame-mac.js';
import {
  encodeRelayBindUnsigned,
  encodeRelayDataHeader,
  parseRelayFrame,
  RelayFrameType,
} from '../../../src-shared/protocol/relay-frames.js';
import {
  ROUTE_ID_LENGTH,
  ROUTE_TOKEN_LENGTH,
  type RouteSide,
} from '../../../src-shared/protocol/route-token.js';
import type { RouteGrant } from '../../../src-shared/protocol/control-messages.js';
import { parsed, rejected, type ParseResult } from '../../../src-shared/protocol/parse-result.js';

/**
 * The client's half of the relay protocol (layout: src-shared/protocol/relay-frames.ts): turn a
 * RouteGrant from the control server into signed BINDs, check the relay's answers, and keep one
 * DATA header per route. Pure functions over bytes; the sockets belong to their callers. Received
 * DATA is read in place by the shared codec's readers (isRelayData, relayDataPayload).
 */

const SIDE_KEY_LENGTH = 32;

/** A RouteGrant decoded once into the bytes the frames need. */
export interface RelayRoute {
  routeId: Buffer;
  side: RouteSide;
  token: Buffer;
  /** Never sent anywhere: it MACs our BINDs and checks the relay's BIND_ACKs. */
  sideKey: Buffer;
  /** Unix seconds; ask the control server for a new grant before this. */
  expiresAt: number;
}

function strictBase64(text: string, length: number): Buffer | null {
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === length && bytes.toString('base64') === text ? bytes : null;
}

/** Decodes a grant (already schema-checked or not); never throws. */
export function relayRouteFromGrant(grant: RouteGrant): ParseResult<RelayRoute> {
  if (!/^[0-9a-f]{16}$/.test(grant.routeId)) return rejected('grant route id is not 16 hex digits');
  if (grant.side !== 0 && grant.side !== 1) return rejected('grant side is not 0 or 1');
  const token = strictBase64(grant.token, ROUTE_TOKEN_LENGTH);
  if (!token) return rejected(`grant token is not ${ROUTE_TOKEN_LENGTH} bytes of base64`);
  const sideKey = strictBase64(grant.sideKey, SIDE_KEY_LENGTH);
  if (!sideKey) return rejected(`grant side key is not ${SIDE_KEY_LENGTH} bytes of base64`);
  const routeId = Buffer.from(grant.routeId, 'hex');
  // The token carries side and route id too; a grant that disagrees with itself is refused
  // here rather than producing BINDs the relay would silently drop.
  if (token[1] !== grant.side || !token.subarray(2, 2 + ROUTE_ID_LENGTH).equals(routeId)) {
    return rejected('grant token does not match its route id and side');
  }
  return parsed({ routeId, side: grant.side, token, sideKey, expiresAt: grant.expiresAt });
}

/** A signed 84-byte BIND for this route with this counter (and the relay's cookie, once known). */
export function buildRelayBind(
  route: RelayRoute,
  counter: bigint,
  cookie: Uint8Array | null = null,
): Buffer {
  const frame = Buffer.from(encodeRelayBindUnsigned(route.token, counter, cookie));
  signRelayFrame(frame, route.sideKey);
  return frame;
}

/** What a relay can answer a BIND with (relay-frames.ts). */
export type RelayAnswer =
  | { kind: 'ack'; counter: bigint; peerBound: boolean }
  | { kind: 'challenge'; counter: bigint; cookie: Buffer }
  | { kind: 'refused'; counter: bigint; reason: 'full' | 'party-share' | 'member-share' };

const REFUSAL_NAMES = { 1: 'full', 2: 'party-share', 3: 'member-share' } as const;

/**
 * Checks an answer to our BIND is from a relay that knows our side key, for our route; never
 * throws. A forged CHALLENGE or BIND_REFUSED (no side key) is refused like a forged ACK.
 */
export function verifyRelayAnswer(route: RelayRoute, data: Uint8Array): ParseResult<RelayAnswer> {
  const frame = parseRelayFrame(data);
  if (!frame.ok) return frame;
  const f = frame.value;
  if (
    f.type !== RelayFrameType.BindAck &&
    f.type !== RelayFrameType.Challenge &&
    f.type !== RelayFrameType.BindRefused
  ) {
    return rejected('relay frame is not an answer to a BIND');
  }
  if (!route.routeId.equals(f.routeId)) return rejected('relay answer is for another route');
  if (!relayFrameMacValid(data, route.sideKey)) return rejected('relay answer MAC is wrong');
  switch (f.type) {
    case RelayFrameType.BindAck:
      return parsed({ kind: 'ack', counter: f.counter, peerBound: f.peerBound });
    case RelayFrameType.Challenge:
      return parsed({ kind: 'challenge', counter: f.counter, cookie: Buffer.from(f.cookie) });
    case RelayFrameType.BindRefused:
      return parsed({ kind: 'refused', counter: f.counter, reason: REFUSAL_NAMES[f.reason] });
  }
}

/** DATA headers by route-id object: a path keeps its routeId, so a lookup costs no allocation. */
const relayHeaders = new WeakMap<Uint8Array, Buffer>();

/**
 * The 14-byte DATA header for a route id, built once per route-id object (the per-packet hot
 * path); send `[header, payload]` so the payload is never copied.
 */
export function relayDataHeaderOf(routeId: Uint8Array): Buffer {
  let header = relayHeaders.get(routeId);
  if (!header) {
    const bytes = encodeRelayDataHeader(routeId);
    header = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    relayHeaders.set(routeId, header);
  }
  return header;
}

/**
 * BIND counters are timestamps: microseconds of the control server's clock (which the relay's
 * follows), as u64. The relay refuses a counter not above the last it accepted for the side and
 * one more than BIND_FRESHNESS_MS away from its clock, so a recorded BIND dies within minutes
 * even across relay restarts; a restarted client needs no stored state. +1 keeps the counter
 * strictly increasing within one millisecond. Pass the control client's `serverNow`.
 */
export class RelayBindCounter {
  private last = 0n;

  constructor(private readonly nowMs: () => number) {}

  next(): bigint {
    const fromClock = BigInt(Math.floor(this.nowMs())) * 1000n;
    this.last = fromClock > this.last ? fromClock : this.last + 1n;
    return this.last;
  }
}
