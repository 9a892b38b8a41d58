import type { IncomingMessage, ServerResponse } from 'node:http';
import { relayRegistrationSignatureValid } from '../common/relay-registration-signature.js';
import type { Logger } from '../common/logger.js';
import {
  parseJsonMessage,
  RELAY_SIGNATURE_HEADER,
  RelayRegistrationSchema,
} from '../../src-shared/protocol/control-messages.js';
import { PROTOCOL_VERSION } from '../../src-shared/protocol/version.js';
import { ControlError } from './control-error.js';

/**
 * Plain HTTP beside the WebSocket:
 *   GET  /health               JSON summary, 200 while the server serves
 *   GET  /metrics              Prometheus text
 *   POST /v1/relays/heartbeat  a relay's signed RelayRegistration JSON → 204
 */

/** A registration is ~200 bytes; anything near this is not one. */
const MAX_RELAY_BODY_BYTES = 4 * 1024;

export interface HttpContext {
  relaySecret: Uint8Array;
  health: () => Record<string, unknown>;
  metrics: () => string;
  /** Takes a signature-checked, parsed registration; throws ControlError to refuse it. */
  relayHeartbeat: (body: unknown) => void;
  onRelayRefused: () => void;
  logger: Logger;
}

export function createHttpHandler(ctx: HttpContext) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/health') {
      sendJson(res, 200, { status: 'ok', version: PROTOCOL_VERSION, ...ctx.health() });
    } else if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(ctx.metrics());
    } else if (path === '/v1/relays/heartbeat') {
      if (req.method !== 'POST') {
        sendJson(res, 405, { error: 'POST a signed relay registration here' }, { allow: 'POST' });
        return;
      }
      readBody(req, MAX_RELAY_BODY_BYTES).then(
        (body) => handleRelayHeartbeat(ctx, req, res, body),
        (error: Error) => {
          ctx.onRelayRefused();
          sendJson(res, 413, { error: error.message }, { connection: 'close' });
        },
      );
    } else {
      sendJson(res, 404, { error: `no route for ${req.method ?? '?'} ${path}` });
    }
  };
}

function handleRelayHeartbeat(
  ctx: HttpContext,
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
): void {
  const refuse = (status: number, error: string) => {
    ctx.onRelayRefused();
    ctx.logger.warn('relay heartbeat refused', { from: req.socket.remoteAddress, error });
    sendJson(res, status, { error });
  };
  const signature = req.headers[RELAY_SIGNATURE_HEADER];
  // Check the signature over the exact bytes before parsing: unsigned bodies cost us nothing.
  if (
    !relayRegistrationSignatureValid(
      ctx.relaySecret,
      body,
      typeof signature === 'string' ? signature : undefined,
    )
  ) {
    refuse(
      401,
      `missing or wrong ${RELAY_SIGNATURE_HEADER} (HMAC of the body with the relay secret)`,
    );
    return;
  }
  const parsed = parseJsonMessage(RelayRegistrationSchema, body);
  if (!parsed.ok) {
    refuse(400, parsed.error);
    return;
  }
  try {
    ctx.relayHeartbeat(parsed.value);
  } catch (error) {
    if (!(error instanceof ControlError)) throw error;
    refuse(error.code === 'rate_limited' ? 429 : 400, error.message);
    return;
  }
  res.writeHead(204).end();
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Keep draining (without keeping) so the 413 reaches the sender; the response closes it.
      if (size > limit) reject(new Error(`body is over ${limit} bytes`));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
