import type { WebSocket } from 'ws';
import type { KeyPair } from '../../src-common/crypto/x25519.js';
import { CONTROL_CLOSE } from '../../src-shared/protocol/control-close-codes.js';
import type { TokenBuckets } from '../common/token-bucket.js';
import { addressGroup } from '../common/address-group.js';
import type { Logger } from '../common/logger.js';
import {
  ClientMessageSchema,
  describeZodError,
  MAX_CONTROL_MESSAGE_BYTES,
  type ErrorCode,
  type Request,
  type ResultByOp,
  type ServerMessage,
} from '../../src-shared/protocol/control-messages.js';
import { PROTOCOL_VERSION } from '../../src-shared/protocol/version.js';
import type { AuthVerifier } from './auth-verifier.js';
import { ControlError } from './control-error.js';
import type { ControlMetrics } from './control-metrics.js';
import type { PartyService } from './party-service.js';
import type { Presence } from './presence.js';
import type { RelayRegistry } from './relay-registry.js';
import { isQuotaOp, type RequestQuota } from './request-quota.js';
import type { HubSession, SessionHub } from './session-hub.js';

/**
 * One client connection: hello → auth → requests, answered in order; events pushed by the hub.
 * Every frame is size-checked, JSON-parsed, rate-limited and schema-checked before anything
 * changes; a refusal is `{ t: 'error' }` (or a failed `res` when the request id was readable).
 */

export interface SessionContext {
  service: PartyService;
  presence: Presence;
  hub: SessionHub;
  relays: RelayRegistry;
  serverKey: KeyPair;
  verifier: AuthVerifier;
  stun: readonly string[];
  messageLimiter: TokenBuckets<number>;
  /** Per key and per address group, on logins and state-changing requests (request-quota.ts). */
  quota: RequestQuota;
  metrics: ControlMetrics;
  now: () => number;
  randomBytes: (length: number) => Uint8Array;
  authTimeoutMs: number;
  /** True while the server shuts down: members keep their online state for the restart. */
  shuttingDown: () => boolean;
  logger: Logger;
}

/**
 * A client whose unread output passes this is not reading (or is on a dead link); dropping it
 * keeps one stuck client from holding megabytes of our memory. 1 MiB is ~500 member events.
 */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const REQUEST_ID_LIMIT = 2 ** 31;

type Handled = { [Op in keyof ResultByOp]: ResultByOp[Op] }[keyof ResultByOp];

export class WsSession implements HubSession {
  private key: string | null = null;
  private readonly nonce: string;
  private readonly group: string;
  private authTimer: NodeJS.Timeout | null;

  constructor(
    private readonly ws: WebSocket,
    private readonly connectionId: number,
    private readonly sourceIp: string,
    private readonly ctx: SessionContext,
  ) {
    this.nonce = Buffer.from(ctx.randomBytes(32)).toString('base64');
    this.group = addressGroup(sourceIp);
    ctx.metrics.connectionsTotal++;
    ctx.metrics.connectionsOpen++;
    ws.on('message', (data, isBinary) => this.onFrame(data as Buffer, isBinary));
    ws.on('close', () => this.onClose());
    ws.on('error', (error) => ctx.logger.debug('socket error', { error: error.message }));
    this.authTimer = setTimeout(() => {
      this.close(CONTROL_CLOSE.authTimeout, 'no auth message in time');
    }, ctx.authTimeoutMs);
    this.send({
      t: 'hello',
      v: PROTOCOL_VERSION,
      serverKey: ctx.serverKey.publicKey,
      nonce: this.nonce,
      stun: [...ctx.stun],
    });
  }

  get publicKey(): string {
    return this.key ?? '';
  }

  sendRaw(frame: string): boolean {
    if (this.ws.readyState !== this.ws.OPEN) return false;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.ctx.logger.warn('dropping a client that does not read', { member: this.key });
      this.close(CONTROL_CLOSE.slowConsumer, 'not reading fast enough');
      return false;
    }
    this.ws.send(frame);
    return true;
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) {
      this.ws.close(code, reason);
      // A dead peer never completes the closing handshake; do not wait for it forever.
      setTimeout(() => this.ws.terminate(), 1_000).unref();
    }
  }

  private send(message: ServerMessage): void {
    this.sendRaw(JSON.stringify(message));
  }

  private refuse(code: ErrorCode, message: string, id: number | undefined): void {
    this.ctx.metrics.countError(code);
    if (id === undefined) this.send({ t: 'error', error: { code, message } });
    else this.send({ t: 'res', id, ok: false, error: { code, message } });
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    this.ctx.metrics.messagesTotal++;
    if (isBinary) {
      this.refuse(
        'bad_message',
        'binary frames are not part of the protocol; send JSON text',
        undefined,
      );
      return;
    }
    if (data.byteLength > MAX_CONTROL_MESSAGE_BYTES) {
      this.refuse(
        'too_large',
        `message is ${data.byteLength} bytes; the limit is ${MAX_CONTROL_MESSAGE_BYTES}`,
        undefined,
      );
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data.toString('utf8'));
    } catch {
      this.refuse('bad_message', 'message is not valid JSON', undefined);
      return;
    }
    const fields =
      typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
    const id = readableId(fields.id);
    if (!this.ctx.messageLimiter.take(this.connectionId)) {
      this.refuse('rate_limited', 'too many messages; slow down', id);
      return;
    }
    if (fields.t === 'auth' && fields.v !== PROTOCOL_VERSION) {
      this.refuse(
        'unsupported_version',
        `protocol version ${JSON.stringify(fields.v)} is not supported; this server speaks ${PROTOCOL_VERSION}`,
        undefined,
      );
      this.close(CONTROL_CLOSE.unsupportedVersion, 'unsupported protocol version');
      return;
    }
    const result = ClientMessageSchema.safeParse(json);
    if (!result.success) {
      this.refuse(
        'bad_message',
        describeZodError(result.error),
        fields.t === 'req' ? id : undefined,
      );
      return;
    }
    const message = result.data;
    if (message.t === 'auth') {
      if (this.key) this.refuse('bad_message', 'already authenticated', undefined);
      else this.authenticate(message.publicKey, message.proof);
      return;
    }
    if (!this.key) {
      this.refuse('unauthenticated', 'authenticate (send auth) before any request', message.id);
      return;
    }
    this.handle(this.key, message);
  }

  private authenticate(publicKey: string, proof: string): void {
    // Before the X25519 work: a source logging in over and over is refused for the cost of a
    // lookup, and keys made up by the thousand buy nothing (the group quota counts them all).
    // Members of a party skip the group quota: strangers sharing their CGNAT cannot lock them out.
    const member = this.ctx.service.isMember(publicKey);
    if (!member && !this.ctx.quota.takeGroup('login', this.group)) {
      this.refuse('rate_limited', 'too many logins from this address; retry later', undefined);
      this.close(CONTROL_CLOSE.rateLimited, 'too many logins');
      return;
    }
    const good = this.ctx.verifier.verify(this.nonce, publicKey, proof);
    if (!good) {
      this.ctx.metrics.authFailures++;
      this.refuse('unauthenticated', 'auth proof does not match the public key', undefined);
      this.close(CONTROL_CLOSE.authFailed, 'authentication failed');
      return;
    }
    // The key's own quota only once it has proven the key: nobody can spend another key's logins.
    if (!this.ctx.quota.takeKey('login', publicKey)) {
      this.refuse('rate_limited', 'too many logins with this key; retry later', undefined);
      this.close(CONTROL_CLOSE.rateLimited, 'too many logins');
      return;
    }
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = null;
    this.key = publicKey;
    this.ctx.hub.add(this);
    this.ctx.presence.heard(publicKey);
    const party = this.ctx.service.connected({ publicKey, sourceIp: this.sourceIp });
    this.send({
      t: 'welcome',
      you: publicKey,
      party,
      relays: this.ctx.relays.healthy(),
      serverTime: this.ctx.now(),
    });
    this.ctx.logger.debug('client authenticated', { member: publicKey, partyId: party?.id });
  }

  private handle(publicKey: string, request: Request): void {
    this.ctx.metrics.countRequest(request.op);
    // Quotas before any database work (request-quota.ts).
    if (isQuotaOp(request.op) && !this.ctx.quota.take(request.op, publicKey, this.group)) {
      this.refuse(
        'rate_limited',
        `too many ${request.op} requests from this key or address; slow down`,
        request.id,
      );
      return;
    }
    this.ctx.presence.heard(publicKey);
    try {
      const result = this.dispatch({ publicKey, sourceIp: this.sourceIp }, request);
      this.send({ t: 'res', id: request.id, ok: true, result });
    } catch (error) {
      if (error instanceof ControlError) {
        this.refuse(error.code, error.message, request.id);
      } else {
        this.ctx.logger.error('request failed', {
          op: request.op,
          member: publicKey,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        });
        this.refuse('internal', 'the server failed to handle this request', request.id);
      }
    }
  }

  private dispatch(caller: { publicKey: string; sourceIp: string }, request: Request): Handled {
    const service = this.ctx.service;
    switch (request.op) {
      case 'party.create':
        return {
          party: service.create(caller, request.partyName, request.memberName, request.member),
        };
      case 'party.join':
        return {
          party: service.join(
            caller,
            request.inviteCode,
            request.memberName,
            request.member,
            request.proof,
          ),
        };
      case 'join.challenge':
        return service.joinChallenge(caller);
      case 'party.leave':
        service.leave(caller, request.partyId);
        return {};
      case 'member.update':
        return { member: service.update(caller, request.partyId, request.member) };
      case 'signal':
        return { delivered: service.signal(caller, request.partyId, request.to, request.signal) };
      case 'route.token':
        return service.routeToken(caller, request.partyId, request.peer);
      case 'relays.list':
        return { relays: this.ctx.relays.healthy() };
      case 'heartbeat':
        service.touch(caller.publicKey);
        return { serverTime: this.ctx.now() };
    }
  }

  private onClose(): void {
    this.ctx.metrics.connectionsOpen--;
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = null;
    if (this.key && this.ctx.hub.remove(this) && !this.ctx.shuttingDown()) {
      this.ctx.presence.gone(this.key);
    }
  }
}

function readableId(value: unknown): number | undefined {
  return typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= 0 &&
    value <= REQUEST_ID_LIMIT
    ? value
    : undefined;
}
