import WebSocket from 'ws';
import type { ClientRequest } from 'node:http';
import { authProof } from '../../../src-common/crypto/control-auth.js';
import { publicKeyFromPrivate } from '../../../src-common/crypto/x25519.js';
import {
  describeZodError,
  ServerMessageSchema,
  type ControlEvent,
  controlOps,
  type ErrorCode,
  type Hello,
  type ParamsArgs,
  type RequestOp,
  type ResultByOp,
  type ServerMessage,
  type Welcome,
} from '../../../src-shared/protocol/control-messages.js';
import { PROTOCOL_VERSION } from '../../../src-shared/protocol/version.js';
import { LanrageError, type LanrageErrorCode } from '../../../src-shared/domain/lanrage-error.js';
import { closeIsFinal } from '../../../src-shared/protocol/control-close-codes.js';
import { reconnectDelay } from './reconnect-backoff.js';
import { silentLogger, type Logger } from '../../../src-common/logging/logger.js';
import { TypedEmitter } from './typed-emitter.js';
import type { ControlTlsCheck } from './control-tls.js';
import type { TLSSocket } from 'node:tls';
import { systemClock, type Clock, type TimerHandle } from '../time/clock.js';

/**
 * The connection core's link to the control server: one WebSocket, logged in with the WireGuard
 * key, typed requests, pushed events, heartbeats, and reconnection (with a fresh login and the
 * party snapshot in each welcome) after any drop or server restart, until `close()`.
 *
 *   idle → connecting → authenticating → ready ⇄ reconnecting … → closed
 */

export type ControlClientState =
  'idle' | 'connecting' | 'authenticating' | 'ready' | 'reconnecting' | 'closed';

export interface ControlClientEvents extends Record<string, unknown[]> {
  state: [ControlClientState];
  /** Every successful login, the first and each after a reconnect; carries the party snapshot. */
  welcome: [Welcome];
  event: [ControlEvent];
  /** Something went wrong that the client handled (bad server frame, refused login…). */
  warning: [string];
}

export type RequestFailure = ErrorCode | 'timeout' | 'disconnected' | 'closed' | 'bad_response';

/** How a control request failed: `failure` is the protocol's reason, `code` what it means to us. */
export class ControlRequestError extends LanrageError {
  constructor(
    readonly failure: RequestFailure,
    message: string,
  ) {
    super(codeOfFailure(failure), message);
    this.name = 'ControlRequestError';
  }
}

function codeOfFailure(failure: RequestFailure): LanrageErrorCode {
  switch (failure) {
    case 'bad_invite':
      return 'bad-invite';
    case 'already_in_party':
      return 'already-in-party';
    case 'not_member':
      return 'not-in-party';
    case 'timeout':
    case 'disconnected':
      return 'control-unreachable';
    case 'bad_response':
    case 'unsupported_version':
      return 'control-protocol';
    default:
      return 'control-refused';
  }
}

export interface ControlClientOptions {
  /** ws(s)://host:port/v1/ws */
  url: string;
  /** WireGuard private key (base64); it never leaves this process. */
  privateKey: string;
  /** If set, a server presenting another key is refused (it cannot be ours). */
  serverKey?: string;
  /** TLS trust for wss:// (control-tls.ts): pin or first-use check, run before anything is sent. */
  tls?: ControlTlsCheck | null;
  requestTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  random?: () => number;
  /** Every timeout, heartbeat and backoff of the session, and the server-clock offset. */
  clock?: Clock;
  logger?: Logger;
}

export const CONTROL_CLIENT_DEFAULTS = {
  /** Answers take a round trip plus a SQLite write; 10 s means the link or server is gone. */
  requestTimeoutMs: 10_000,
  /** A third of the server's 45 s offline timeout, so one lost heartbeat changes nothing. */
  heartbeatIntervalMs: 15_000,
  /** First retry soon (a blip), then back off to a minute-ish ceiling during an outage. */
  reconnectBaseMs: 500,
  reconnectMaxMs: 30_000,
} as const;

interface Pending {
  op: RequestOp;
  resolve: (value: unknown) => void;
  reject: (error: ControlRequestError) => void;
  timer: TimerHandle;
}

const MAX_REQUEST_ID = 2 ** 31;

export class ControlClient extends TypedEmitter<ControlClientEvents> {
  readonly publicKey: string;
  private readonly opts: Required<
    Omit<ControlClientOptions, 'serverKey' | 'logger' | 'clock' | 'tls'>
  >;
  private readonly clock: Clock;
  private readonly log: Logger;
  private ws: WebSocket | null = null;
  private currentState: ControlClientState = 'idle';
  private attempt = 0;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readyWaiters: { resolve: () => void; reject: (e: ControlRequestError) => void }[] = [];
  private reconnectTimer: TimerHandle | null = null;
  private heartbeatTimer: TimerHandle | null = null;
  private loginTimer: TimerHandle | null = null;
  private clockOffsetMs = 0;
  private lastWelcome: Welcome | null = null;
  private advertisedStun: string[] = [];

  constructor(private readonly options: ControlClientOptions) {
    super();
    this.publicKey = publicKeyFromPrivate(options.privateKey);
    this.log = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
    this.opts = {
      url: options.url,
      privateKey: options.privateKey,
      requestTimeoutMs: options.requestTimeoutMs ?? CONTROL_CLIENT_DEFAULTS.requestTimeoutMs,
      heartbeatIntervalMs:
        options.heartbeatIntervalMs ?? CONTROL_CLIENT_DEFAULTS.heartbeatIntervalMs,
      reconnectBaseMs: options.reconnectBaseMs ?? CONTROL_CLIENT_DEFAULTS.reconnectBaseMs,
      reconnectMaxMs: options.reconnectMaxMs ?? CONTROL_CLIENT_DEFAULTS.reconnectMaxMs,
      random: options.random ?? Math.random,
    };
  }

  get state(): ControlClientState {
    return this.currentState;
  }

  /** The latest welcome (party snapshot as of the last login), or null before the first. */
  get welcome(): Welcome | null {
    return this.lastWelcome;
  }

  /** STUN servers the control server advertised at the last login ("host:port"). */
  get stunServers(): readonly string[] {
    return this.advertisedStun;
  }

  /** The server's clock as best we know it (for punch signals that name a server time). */
  serverNow(): number {
    return this.clock.now() + this.clockOffsetMs;
  }

  /** Starts connecting (and keeps reconnecting); resolves with the first welcome. */
  async connect(): Promise<Welcome> {
    if (this.currentState === 'closed') throw new ControlRequestError('closed', 'client is closed');
    if (this.currentState === 'idle') this.openSocket();
    await this.whenReady(this.opts.requestTimeoutMs);
    return this.lastWelcome!;
  }

  /** Sends one request; resolves with its typed, schema-checked result or rejects with why. */
  async request<Op extends RequestOp>(
    op: Op,
    ...[params]: ParamsArgs<Op>
  ): Promise<ResultByOp[Op]> {
    const started = this.clock.now();
    await this.whenReady(this.opts.requestTimeoutMs);
    const remaining = Math.max(1, this.opts.requestTimeoutMs - (this.clock.now() - started));
    const id = this.nextId;
    this.nextId = this.nextId >= MAX_REQUEST_ID ? 1 : this.nextId + 1;
    return new Promise<ResultByOp[Op]>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.pending.delete(id);
        reject(
          new ControlRequestError(
            'timeout',
            `${op} got no answer in ${this.opts.requestTimeoutMs} ms`,
          ),
        );
      }, remaining);
      this.pending.set(id, { op, resolve: resolve as (v: unknown) => void, reject, timer });
      this.ws!.send(JSON.stringify({ ...(params ?? {}), t: 'req', id, op }));
    });
  }

  /** Stops for good: no reconnects; pending requests fail with `closed`. */
  async close(): Promise<void> {
    if (this.currentState === 'closed') return;
    this.setState('closed');
    this.clearTimers();
    this.failAll('closed', 'client closed');
    const ws = this.ws;
    this.ws = null;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.close(1000, 'client closing');
      // A dead link never completes the closing handshake. Real time, not the clock: this bounds
      // the socket's own I/O, and a fake clock in a test would otherwise hang the close.
      // eslint-disable-next-line no-restricted-globals
      setTimeout(() => {
        ws.terminate();
        resolve();
      }, 1_000).unref();
    });
  }

  protected override onListenerError(error: unknown): void {
    this.log.warn('control client listener threw', { error: String(error) });
  }

  private whenReady(timeoutMs: number): Promise<void> {
    if (this.currentState === 'ready') return Promise.resolve();
    if (this.currentState === 'closed') {
      return Promise.reject(new ControlRequestError('closed', 'client is closed'));
    }
    if (this.currentState === 'idle') this.openSocket();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => {
          this.clock.clearTimeout(timer);
          resolve();
        },
        reject: (error: ControlRequestError) => {
          this.clock.clearTimeout(timer);
          reject(error);
        },
      };
      const timer = this.clock.setTimeout(() => {
        this.readyWaiters = this.readyWaiters.filter((w) => w !== waiter);
        reject(
          new ControlRequestError(
            'disconnected',
            `not connected to the control server within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.readyWaiters.push(waiter);
    });
  }

  private openSocket(): void {
    this.setState('connecting');
    const tls = this.options.tls ?? null;
    let refused: string | null = null;
    const ws = new WebSocket(this.opts.url, {
      handshakeTimeout: this.opts.requestTimeoutMs,
      maxPayload: 4 * 1024 * 1024,
      perMessageDeflate: false,
      ...tls?.socketOptions,
      // The certificate is checked when the TLS handshake completes, and the upgrade request is
      // sent only after that: an interceptor never sees a byte of ours, not even our request line.
      ...(tls && {
        finishRequest: (req: ClientRequest) => {
          req.once('socket', (socket) =>
            socket.once('secureConnect', () => {
              refused = tls.verify(socket as TLSSocket);
              if (refused) req.destroy(new Error(refused));
              else req.end();
            }),
          );
        },
      }),
    });
    this.ws = ws;
    // A mismatch is final: retrying cannot fix an interceptor.
    if (tls) {
      ws.on('error', () => {
        if (!refused || this.ws !== ws) return;
        this.warn(refused);
        this.ws = null;
        this.clearTimers();
        this.setState('closed');
        this.failAll('closed', refused);
      });
    }
    ws.on('open', () => {
      if (this.ws !== ws) return;
      this.setState('authenticating');
      // hello → auth → welcome must finish within a request timeout, or the server is stuck.
      this.loginTimer = this.clock.setTimeout(() => {
        this.warn('login did not complete in time; reconnecting');
        ws.terminate();
      }, this.opts.requestTimeoutMs);
    });
    ws.on('message', (data, isBinary) => {
      if (this.ws === ws) this.onFrame(isBinary ? null : data.toString());
    });
    ws.on('error', (error) => this.log.debug('control socket error', { error: error.message }));
    ws.on('close', (code, reason) => {
      if (this.ws === ws) this.onSocketClosed(code, reason.toString());
    });
  }

  private onFrame(text: string | null): void {
    if (text === null) {
      this.warn('server sent a binary frame; ignored');
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.warn('server sent a frame that is not JSON; ignored');
      return;
    }
    const parsed = ServerMessageSchema.safeParse(json);
    if (!parsed.success) {
      this.warn(`server sent a malformed message (${describeZodError(parsed.error)}); ignored`);
      return;
    }
    this.onMessage(parsed.data);
  }

  private onMessage(message: ServerMessage): void {
    switch (message.t) {
      case 'hello':
        this.onHello(message);
        return;
      case 'welcome':
        this.onWelcome(message);
        return;
      case 'res': {
        const pending = this.pending.get(message.id);
        if (!pending) return; // answered after its timeout; the caller has moved on
        this.pending.delete(message.id);
        this.clock.clearTimeout(pending.timer);
        if (!message.ok) {
          pending.reject(new ControlRequestError(message.error.code, message.error.message));
          return;
        }
        const result = controlOps[pending.op].result.safeParse(message.result);
        if (result.success) pending.resolve(result.data);
        else {
          const why = describeZodError(result.error);
          this.warn(`server answered ${pending.op} with a malformed result (${why})`);
          pending.reject(
            new ControlRequestError('bad_response', `malformed ${pending.op} result: ${why}`),
          );
        }
        return;
      }
      case 'error': {
        const pending = message.id === undefined ? undefined : this.pending.get(message.id);
        if (pending && message.id !== undefined) {
          this.pending.delete(message.id);
          this.clock.clearTimeout(pending.timer);
          pending.reject(new ControlRequestError(message.error.code, message.error.message));
        } else {
          this.warn(`server error ${message.error.code}: ${message.error.message}`);
        }
        return;
      }
      case 'event':
        this.emit('event', message);
        return;
    }
  }

  private onHello(hello: Hello): void {
    if (this.currentState !== 'authenticating' || !this.ws) return;
    if (this.options.serverKey && hello.serverKey !== this.options.serverKey) {
      this.warn('server presented a different key than the one configured; not logging in');
      this.ws.close(1000, 'unexpected server key');
      return;
    }
    this.advertisedStun = [...hello.stun];
    const proof = authProof(
      this.opts.privateKey,
      hello.serverKey,
      hello.nonce,
      this.publicKey,
      hello.serverKey,
    );
    this.ws.send(
      JSON.stringify({ t: 'auth', v: PROTOCOL_VERSION, publicKey: this.publicKey, proof }),
    );
  }

  private onWelcome(welcome: Welcome): void {
    if (this.loginTimer !== null) this.clock.clearTimeout(this.loginTimer);
    this.loginTimer = null;
    this.attempt = 0;
    this.clockOffsetMs = welcome.serverTime - this.clock.now();
    this.lastWelcome = welcome;
    this.setState('ready');
    this.startHeartbeat();
    this.log.info('logged in to the control server', { partyId: welcome.party?.id ?? null });
    for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
    this.emit('welcome', welcome);
  }

  private startHeartbeat(): void {
    if (this.heartbeatTimer !== null) this.clock.clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = this.clock.setTimeout(() => {
      this.heartbeatTimer = null;
      if (this.currentState !== 'ready') return;
      this.startHeartbeat();
      const ws = this.ws;
      this.request('heartbeat').then(
        ({ serverTime }) => {
          this.clockOffsetMs = serverTime - this.clock.now();
        },
        (error: ControlRequestError) => {
          // No answer: the link is dead even if TCP has not noticed; start over.
          if (error.failure === 'timeout' && ws && this.ws === ws) ws.terminate();
        },
      );
    }, this.opts.heartbeatIntervalMs);
  }

  private onSocketClosed(code: number, reason: string): void {
    this.ws = null;
    this.clearTimers();
    this.failPending('disconnected', `connection closed (${code}${reason ? ` ${reason}` : ''})`);
    if (this.currentState === 'closed') return;
    if (closeIsFinal(code)) {
      this.warn(`control server closed the connection for good: ${code} ${reason}`);
      this.setState('closed');
      this.failAll('closed', `control server refused us: ${reason || code}`);
      return;
    }
    const delay = reconnectDelay(this.attempt++, {
      baseMs: this.opts.reconnectBaseMs,
      maxMs: this.opts.reconnectMaxMs,
      random: this.opts.random,
    });
    this.log.info('control connection lost; reconnecting', { code, reason, delayMs: delay });
    this.setState('reconnecting');
    this.reconnectTimer = this.clock.setTimeout(() => {
      this.reconnectTimer = null;
      if (this.currentState === 'reconnecting') this.openSocket();
    }, delay);
  }

  private failPending(code: RequestFailure, message: string): void {
    for (const [id, pending] of this.pending) {
      this.clock.clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.reject(new ControlRequestError(code, message));
    }
  }

  private failAll(code: RequestFailure, message: string): void {
    this.failPending(code, message);
    for (const waiter of this.readyWaiters.splice(0))
      waiter.reject(new ControlRequestError(code, message));
  }

  private clearTimers(): void {
    for (const timer of [this.reconnectTimer, this.loginTimer, this.heartbeatTimer])
      if (timer !== null) this.clock.clearTimeout(timer);
    this.reconnectTimer = this.loginTimer = this.heartbeatTimer = null;
  }

  private setState(state: ControlClientState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.log.debug('control client state', { state });
    this.emit('state', state);
  }

  private warn(message: string): void {
    this.log.warn(message);
    this.emit('warning', message);
  }
}
