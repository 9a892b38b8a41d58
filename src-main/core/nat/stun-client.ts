import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { formatEndpoint, type Endpoint } from '../../../src-shared/domain/endpoint.js';
import { toHex } from '../../../src-shared/protocol/bytes.js';
import { silentLogger, type Logger } from '../../../src-common/logging/logger.js';
import { systemClock, type Clock } from '../time/clock.js';
import { encodeBindingRequest, parseBindingResponse, type ChangeRequest } from './stun-message.js';

/**
 * STUN Binding transactions over a socket this class does not own: the core's one public UDP
 * socket (the mapping only means something for the socket the tunnel uses). The owner gives
 * `send`, and feeds every datagram its demultiplexer classified as STUN to `handle`.
 *
 * Transactions are matched by their 96-bit random id only — not by source address, because an
 * RFC 5780 CHANGE-REQUEST answer comes, by design, from a different address than it went to.
 */

/**
 * First retransmission timeout. RFC 5389 §7.2.1 recommends 500 ms and 7 transmissions (39.5 s
 * to give up) for unknown paths; a user waiting for "Create party" should not wait that long,
 * and a STUN server is one internet round trip away (typically < 150 ms). 250 ms stays above
 * that, so a healthy path answers before any retransmission.
 */
export const STUN_INITIAL_RTO_MS = 250;
/** Transmissions per transaction (RFC 5389's Rc, shortened from 7): sent at 0, 250, 750, 1750 ms. */
export const STUN_MAX_TRANSMISSIONS = 4;
/**
 * Wait after the last transmission before declaring a timeout (RFC 5389's Rm × RTO, shortened
 * from 16 × 500 ms): 1 s still covers a slow path (satellite ≈ 600 ms RTT) answering that last
 * send. Together: a transaction gives up 2.75 s after it starts.
 */
export const STUN_FINAL_WAIT_MS = 1000;

export interface StunClientOptions {
  /** Sends from the public socket; may throw (the transaction then fails, never the caller). */
  send: (data: Buffer, port: number, host: string) => void;
  clock?: Clock;
  randomBytes?: (length: number) => Uint8Array;
  logger?: Logger;
  initialRtoMs?: number;
  maxTransmissions?: number;
  finalWaitMs?: number;
}

export interface TransactionTiming {
  initialRtoMs?: number;
  maxTransmissions?: number;
  finalWaitMs?: number;
}

export type BindingResult =
  | {
      ok: true;
      mapped: Endpoint;
      responseOrigin: Endpoint | null;
      otherAddress: Endpoint | null;
      /** Where the answer actually came from (the datagram's source). */
      from: Endpoint;
      /** From the first transmission (an upper bound when a retransmission was answered). */
      rttMs: number;
    }
  | {
      ok: false;
      reason: 'timeout' | 'error-response' | 'send-failed' | 'closed';
      detail: string;
      /** STUN error code for 'error-response'. */
      code?: number;
    };

interface Pending {
  server: Endpoint;
  startedAt: number;
  timer: unknown;
  resolve: (result: BindingResult) => void;
}

export interface StunClientStats {
  sent: number;
  answered: number;
  /** STUN datagrams that failed to parse or matched no transaction (late, forged, duplicate). */
  discarded: number;
}

export class StunClient {
  readonly stats: StunClientStats = { sent: 0, answered: 0, discarded: 0 };
  private readonly pending = new Map<string, Pending>();
  private readonly clock: Clock;
  private readonly random: (length: number) => Uint8Array;
  private readonly log: Logger;
  private readonly rto: number;
  private readonly transmissions: number;
  private readonly finalWait: number;
  private closed = false;

  constructor(private readonly options: StunClientOptions) {
    this.clock = options.clock ?? systemClock;
    this.random = options.randomBytes ?? ((n) => nodeRandomBytes(n));
    this.log = options.logger ?? silentLogger;
    this.rto = options.initialRtoMs ?? STUN_INITIAL_RTO_MS;
    this.transmissions = options.maxTransmissions ?? STUN_MAX_TRANSMISSIONS;
    this.finalWait = options.finalWaitMs ?? STUN_FINAL_WAIT_MS;
  }

  /**
   * One Binding transaction. Resolves with a result; never rejects. `timing` overrides the
   * retransmission schedule for a transaction whose silence is itself the answer (a filtering test).
   */
  binding(
    server: Endpoint,
    change?: ChangeRequest,
    timing?: TransactionTiming,
  ): Promise<BindingResult> {
    const rto = timing?.initialRtoMs ?? this.rto;
    const transmissions = timing?.maxTransmissions ?? this.transmissions;
    const finalWait = timing?.finalWaitMs ?? this.finalWait;
    if (this.closed)
      return Promise.resolve({ ok: false, reason: 'closed', detail: 'client closed' });
    const transactionId = this.random(12);
    const key = toHex(transactionId);
    const request = encodeBindingRequest(transactionId, change);
    return new Promise<BindingResult>((resolve) => {
      const entry: Pending = { server, startedAt: this.clock.nowPrecise(), timer: null, resolve };
      this.pending.set(key, entry);
      const transmit = (count: number) => {
        if (!this.pending.has(key)) return;
        try {
          this.options.send(request, server.port, server.host);
          this.stats.sent++;
        } catch (error) {
          this.finish(key, { ok: false, reason: 'send-failed', detail: (error as Error).message });
          return;
        }
        const last = count >= transmissions;
        const wait = last ? finalWait : rto * 2 ** (count - 1);
        entry.timer = this.clock.setTimeout(() => {
          if (last) {
            this.finish(key, {
              ok: false,
              reason: 'timeout',
              detail: `no answer from ${formatEndpoint(server)} after ${count} transmissions`,
            });
          } else {
            transmit(count + 1);
          }
        }, wait);
      };
      transmit(1);
    });
  }

  /**
   * Feeds one datagram the demultiplexer classified as STUN. Returns true when it completed a
   * transaction. Hostile or stray input is counted and ignored; this never throws.
   */
  handle(data: Uint8Array, from: { address: string; port: number }): boolean {
    const response = parseBindingResponse(data);
    if (!response.ok) {
      this.stats.discarded++;
      this.log.debug('discarded STUN datagram', {
        from: `${from.address}:${from.port}`,
        why: response.error,
      });
      return false;
    }
    const key = toHex(response.value.transactionId);
    const entry = this.pending.get(key);
    if (entry === undefined) {
      this.stats.discarded++;
      return false;
    }
    this.stats.answered++;
    const value = response.value;
    if (value.kind === 'error') {
      this.finish(key, {
        ok: false,
        reason: 'error-response',
        code: value.code,
        detail: `${formatEndpoint(entry.server)} answered ${value.code} ${value.reason}`,
      });
    } else {
      this.finish(key, {
        ok: true,
        mapped: value.mapped,
        responseOrigin: value.responseOrigin,
        otherAddress: value.otherAddress,
        from: { host: from.address, port: from.port },
        rttMs: this.clock.nowPrecise() - entry.startedAt,
      });
    }
    return true;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Ends every open transaction with 'closed' and refuses new ones. */
  close(): void {
    this.closed = true;
    for (const key of [...this.pending.keys()]) {
      this.finish(key, { ok: false, reason: 'closed', detail: 'client closed' });
    }
  }

  private finish(key: string, result: BindingResult): void {
    const entry = this.pending.get(key);
    if (entry === undefined) return;
    this.pending.delete(key);
    if (entry.timer !== null) this.clock.clearTimeout(entry.timer);
    entry.resolve(result);
  }
}
