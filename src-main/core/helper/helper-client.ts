import type { Readable, Writable } from 'node:stream';
import { HelperError } from './helper-error.js';
import {
  encodeFrame,
  encodeProbeSend,
  encodeSend,
  FrameReader,
  FrameType,
  parseDatagram,
  parseProbeDatagram,
  type Datagram,
  type ProbeDatagram,
  type UdpAddress,
} from './helper-frames.js';
import { HelperProcess, type HelperLog } from './helper-process.js';
import {
  checkRequest,
  HELPER_OPS,
  HELPER_PROTOCOL_VERSION,
  MAX_REQUEST_ID,
  parseEvent,
  parseResponse,
  type HelperArgs,
  type HelperEvent,
  type HelperOp,
  type HelperResult,
} from './helper-protocol.js';

/**
 * The core's side of the helper protocol (helper/PROTOCOL.md): typed requests matched to their
 * responses by id, datagrams from the public socket up, datagrams to send down, events. Every
 * request is checked before it is written and every answer before it is believed.
 */
/**
 * The slowest request is `open` (TUN device, WireGuard device, socket: tens of ms); 10 s also
 * covers an elevation prompt answered by a person (pkexec) before the first `hello`.
 */
export const HELPER_REQUEST_TIMEOUT_MS = 10_000;
/** A person typing a password into pkexec's prompt needs far longer than a machine. */
export const HELPER_HELLO_TIMEOUT_MS = 120_000;
/** Answers of `close` come back at once; do not hold shutdown up for a stuck helper. */
const CLOSE_TIMEOUT_MS = 2_000;

interface Pending {
  op: HelperOp;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export interface HelperClientHandlers {
  /** A datagram the helper did not consume (STUN, probes, relay control), with its source. */
  onDatagram?: (datagram: Datagram) => void;
  /** A datagram that arrived on a probe socket (port probing). */
  onProbeDatagram?: (datagram: ProbeDatagram) => void;
  onEvent?: (event: HelperEvent) => void;
  /** The stream broke (the helper died, or spoke something that is not the protocol). */
  onFailure?: (error: HelperError) => void;
}

export interface HelperStartOptions extends HelperClientHandlers {
  binaryPath: string;
  elevation?: readonly string[];
  log: HelperLog;
}

export class HelperClient {
  private readonly reader = new FrameReader();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failed: HelperError | null = null;
  /** Answers that could not be matched to a request (bad id, bad shape): counted, not fatal. */
  unmatched = 0;

  constructor(
    private readonly input: Writable,
    output: Readable,
    private readonly handlers: HelperClientHandlers,
  ) {
    output.on('data', (chunk: Buffer) => this.onBytes(chunk));
    output.once('end', () => this.fail(new HelperError('exited', 'the helper closed its output')));
  }

  /**
   * Spawns the helper (behind `elevation` when given) and greets it. A helper that dies before
   * answering — sudo without a rule, a cancelled pkexec prompt — is `elevation-refused` when an
   * elevation command was used, else `exited`; both carry its last stderr.
   */
  static async start(
    o: HelperStartOptions,
  ): Promise<{ client: HelperClient; process: HelperProcess }> {
    let client: HelperClient | null = null;
    const proc = await HelperProcess.spawn({
      binaryPath: o.binaryPath,
      ...(o.elevation ? { elevation: o.elevation } : {}),
      log: o.log,
      onExit: (code, signal, stderr) => {
        const how = signal ? `signal ${signal}` : `status ${code}`;
        const last = stderr.trim().split('\n').slice(-3).join(' | ');
        client?.fail(
          new HelperError(
            'exited',
            `the WireGuard helper exited (${how})${last ? `: ${last}` : ''}`,
          ),
        );
      },
    });
    client = new HelperClient(proc.stdin, proc.stdout, o);
    try {
      const hello = await client.greet();
      o.log.info('helper started', { helper: hello.helper, pid: hello.pid });
      return { client, process: proc };
    } catch (error) {
      await proc.stop();
      if (
        error instanceof HelperError &&
        error.failure === 'exited' &&
        (o.elevation?.length ?? 0) > 0
      ) {
        throw new HelperError(
          'elevation-refused',
          `${o.elevation!.join(' ')} did not start the WireGuard helper: ${error.message}`,
          null,
          { cause: error },
        );
      }
      throw error;
    }
  }

  /**
   * The first request: hello with our protocol version. A helper of another version — one that
   * refuses ours, or one that answers with its own — is a `protocol` error naming both versions.
   */
  async greet(timeoutMs = HELPER_HELLO_TIMEOUT_MS): Promise<HelperResult<'hello'>> {
    const ours = HELPER_PROTOCOL_VERSION;
    const hint = 'use the helper built with this LANrage (npm run build)';
    const hello = await this.request('hello', { version: ours }, timeoutMs).catch((e: unknown) => {
      if (e instanceof HelperError && e.helperCode === 'version') {
        throw new HelperError(
          'protocol',
          `the WireGuard helper refused protocol version ${ours}, which this LANrage speaks (${e.message}); ${hint}`,
          'version',
          { cause: e },
        );
      }
      throw e;
    });
    if (hello.version !== ours) {
      throw new HelperError(
        'protocol',
        `the WireGuard helper speaks protocol version ${hello.version}; this LANrage speaks version ${ours}: ${hint}`,
      );
    }
    return hello;
  }

  /** Sends one request and resolves with its checked result; rejects with a HelperError. */
  request<Op extends HelperOp>(
    op: Op,
    args: HelperArgs<Op>,
    timeoutMs = HELPER_REQUEST_TIMEOUT_MS,
  ): Promise<HelperResult<Op>> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId;
    this.nextId = this.nextId >= MAX_REQUEST_ID ? 1 : this.nextId + 1;
    const request = { id, op, ...args };
    const bad = checkRequest(request);
    if (bad) return Promise.reject(new HelperError('bad-request', bad.message, bad.code));
    return new Promise<HelperResult<Op>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new HelperError('timeout', `the helper did not answer ${op} within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.pending.set(id, {
        op,
        resolve: resolve as (result: unknown) => void,
        reject,
        timer,
      });
      this.input.write(encodeFrame(FrameType.Request, Buffer.from(JSON.stringify(request))));
    });
  }

  /** Sends a datagram from the public socket. Fire and forget: failures come back as events. */
  send(to: UdpAddress, payload: Uint8Array, ttl = 0): void {
    if (this.failed) return;
    this.input.write(encodeSend(to, payload, ttl));
  }

  /** Sends a datagram from probe socket `socket` (port probing). Fire and forget, like send. */
  sendFromProbe(socket: number, to: UdpAddress, payload: Uint8Array, ttl = 0): void {
    if (this.failed) return;
    this.input.write(encodeProbeSend(socket, to, payload, ttl));
  }

  /** Asks the helper to remove its interface and exit; resolves whether or not it answered. */
  async close(): Promise<void> {
    if (this.failed) return;
    await this.request('close', {}, CLOSE_TIMEOUT_MS).catch(() => {});
  }

  private onBytes(chunk: Buffer): void {
    const { frames, error } = this.reader.push(chunk);
    for (const frame of frames) this.onFrame(frame.type, frame.body);
    if (error)
      this.fail(new HelperError('protocol', `the helper's output is not the protocol: ${error}`));
  }

  private onFrame(type: number, body: Buffer): void {
    switch (type) {
      case FrameType.Datagram: {
        const datagram = parseDatagram(body);
        if (datagram.ok) this.handlers.onDatagram?.(datagram.value);
        else this.unmatched++;
        return;
      }
      case FrameType.ProbeDatagram: {
        const datagram = parseProbeDatagram(body);
        if (datagram.ok) this.handlers.onProbeDatagram?.(datagram.value);
        else this.unmatched++;
        return;
      }
      case FrameType.Response:
        this.onResponse(body);
        return;
      case FrameType.Event: {
        const event = parseEvent(body);
        if (event) this.handlers.onEvent?.(event);
        return;
      }
      default:
        // Request/send frames never come from the helper; unknown types are skipped, like events.
        this.unmatched++;
    }
  }

  private onResponse(body: Buffer): void {
    const response = parseResponse(body);
    const pending = response ? this.pending.get(response.id) : undefined;
    if (!response || !pending) {
      this.unmatched++;
      return;
    }
    this.pending.delete(response.id);
    clearTimeout(pending.timer);
    if (!response.ok) {
      pending.reject(
        new HelperError(
          'refused',
          `the helper refused ${pending.op}: ${response.error.code}: ${response.error.message}`,
          response.error.code,
        ),
      );
      return;
    }
    const result = HELPER_OPS[pending.op].result.safeParse(response.result);
    if (result.success) pending.resolve(result.data);
    else
      pending.reject(
        new HelperError(
          'protocol',
          `the helper's ${pending.op} result is malformed: ${result.error.issues[0]?.message}`,
        ),
      );
  }

  private fail(error: HelperError): void {
    if (this.failed) return;
    this.failed = error;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.pending.clear();
    this.handlers.onFailure?.(error);
  }
}
