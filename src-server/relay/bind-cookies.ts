import { randomBytes } from 'node:crypto';
import { hmacSha256, macEqual } from '../../src-common/crypto/mac.js';
import { RELAY_COOKIE_LENGTH } from '../../src-shared/protocol/relay-frames.js';

/**
 * Return-routability cookies (frame layout: src-shared/protocol/relay-frames.ts). Before the relay
 * binds a side at an address — and so before it forwards a single byte there — the BIND must
 * carry a cookie that only someone receiving at that address can know: the relay sent it there
 * in a CHALLENGE. A BIND with a forged source address therefore moves nothing (its sender never
 * sees the cookie), and a recorded BIND replayed from elsewhere carries a cookie for the wrong
 * address and cannot be re-MACed without the side key.
 *
 * Stateless: cookie = HMAC(secret, epoch | address | port | route id | side)[0..16], the secret
 * random per process (a restart voids every cookie), valid in its epoch and the next.
 */

/** Why 30 s: a client answers a CHALLENGE within a round trip; a cookie then stays good for
 * 30-60 s, enough for a slow link, too short to be worth stealing. */
export const COOKIE_EPOCH_MS = 30_000;

export class BindCookies {
  private readonly secret: Buffer;

  constructor(
    private readonly now: () => number,
    secret: Buffer = randomBytes(32),
  ) {
    this.secret = secret;
  }

  issue(address: string, port: number, routeId: Uint8Array, side: number): Buffer {
    return this.cookie(Math.floor(this.now() / COOKIE_EPOCH_MS), address, port, routeId, side);
  }

  valid(cookie: Uint8Array, address: string, port: number, routeId: Uint8Array, side: number) {
    const epoch = Math.floor(this.now() / COOKIE_EPOCH_MS);
    return (
      macEqual(this.cookie(epoch, address, port, routeId, side), cookie) ||
      macEqual(this.cookie(epoch - 1, address, port, routeId, side), cookie)
    );
  }

  private cookie(
    epoch: number,
    address: string,
    port: number,
    routeId: Uint8Array,
    side: number,
  ): Buffer {
    return hmacSha256(
      this.secret,
      'lanrage-relay-cookie-v1',
      String(epoch),
      '\0',
      address,
      '\0',
      String(port),
      '\0',
      routeId,
      String(side),
    ).subarray(0, RELAY_COOKIE_LENGTH);
  }
}
