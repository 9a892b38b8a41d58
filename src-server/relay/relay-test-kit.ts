import dgram from 'node:dgram';
import { Writable } from 'node:stream';
import winston from 'winston';
import type { Logger } from '../common/logger.js';
import { generateKeyPair } from '../../src-common/crypto/x25519.js';
import {
  buildRelayBind,
  relayRouteFromGrant,
  verifyRelayAnswer,
  type RelayRoute,
} from '../../src-main/core/relay/relay-frames-client.js';
import { issueRouteGrant } from '../common/route-token-crypto.js';

/**
 * Test and bench helpers: real UDP client sockets on loopback and real route grants. Not used by
 * the relay itself.
 */

export const TEST_SECRET = Buffer.from('relay-test-secret-0123456789abcdef', 'utf8');

export { seededRandom } from '../../src-shared/protocol/fuzz-bytes.js';

/** Both sides' routes for one pair of members, as the control server would grant them. */
export function grantPair(
  secret: Uint8Array,
  expiresAt: number,
  members: { a: string; b: string } = {
    a: generateKeyPair().publicKey,
    b: generateKeyPair().publicKey,
  },
  partyId = 'party0000000000a',
): [RelayRoute, RelayRoute] {
  const { a, b } = members;
  const routes = [
    issueRouteGrant(secret, partyId, a, b, expiresAt),
    issueRouteGrant(secret, partyId, b, a, expiresAt),
  ]
    .map((grant) => {
      const route = relayRouteFromGrant(grant);
      if (!route.ok) throw new Error(route.error);
      return route.value;
    })
    .sort((x, y) => x.side - y.side);
  return [routes[0]!, routes[1]!];
}

export interface TestClient {
  readonly port: number;
  readonly received: Buffer[];
  /** Every datagram this client sent, in order (for the amplification check). */
  readonly sent: Buffer[];
  send(data: Buffer, port: number, host?: string): Promise<void>;
  /** The next datagram not yet taken by `next`, waiting up to `timeoutMs`. */
  next(timeoutMs?: number): Promise<Buffer>;
  close(): Promise<void>;
}

export async function openClient(host = '127.0.0.1'): Promise<TestClient> {
  const socket = dgram.createSocket('udp4');
  const received: Buffer[] = [];
  const sent: Buffer[] = [];
  let taken = 0;
  let waiter: (() => void) | null = null;
  socket.on('message', (msg) => {
    received.push(msg);
    waiter?.();
  });
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  return {
    port: socket.address().port,
    received,
    sent,
    send(data, port, to = '127.0.0.1') {
      sent.push(Buffer.from(data));
      return new Promise((resolve, reject) =>
        socket.send(data, port, to, (error) => (error ? reject(error) : resolve())),
      );
    },
    async next(timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (taken >= received.length) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no datagram within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiter = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        waiter = null;
      }
      return received[taken++]!;
    },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

/** Waits until `condition` holds, polling every few ms; throws after `timeoutMs`. */
export async function until(
  condition: () => boolean,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * Binds `route` at the relay on `port` as a real client does: a BIND with a timestamp counter
 * (`counter`, default now in µs), and if the relay CHALLENGEs this address, the same BIND again
 * with its cookie. Resolves with the BIND_ACK's peer flag; throws on anything else.
 */
export async function bindAtRelay(
  c: TestClient,
  port: number,
  route: RelayRoute,
  counter = BigInt(Date.now()) * 1000n,
): Promise<{ peerBound: boolean }> {
  let cookie: Buffer | null = null;
  for (let round = 0; round < 2; round++) {
    await c.send(buildRelayBind(route, counter, cookie), port);
    const answer = verifyRelayAnswer(route, await c.next());
    if (!answer.ok) throw new Error(answer.error);
    if (answer.value.kind === 'ack') return { peerBound: answer.value.peerBound };
    if (answer.value.kind === 'refused') throw new Error(`relay refused: ${answer.value.reason}`);
    cookie = answer.value.cookie;
  }
  throw new Error('relay challenged twice');
}

export interface CapturedLog {
  level: string;
  message: string;
  [field: string]: unknown;
}

/** A real winston logger whose lines land in an array, for asserting what was logged. */
export function captureLogger(): { logger: Logger; lines: CapturedLog[] } {
  const lines: CapturedLog[] = [];
  const stream = new Writable({
    objectMode: true,
    write(info: CapturedLog, _encoding, done) {
      lines.push(info);
      done();
    },
  });
  const logger = winston.createLogger({
    level: 'debug',
    transports: [new winston.transports.Stream({ stream })],
  });
  return { logger, lines };
}
