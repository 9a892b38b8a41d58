import { createSocket, type Socket } from 'node:dgram';
import type { Clock } from '../time/clock.js';

/**
 * One request/answer exchange with the router over UDP (NAT-PMP and PCP both work this way): a
 * socket of its own, connected to the router, so only the router's datagrams reach it. The
 * request is sent once more if nothing came back after RESEND_AFTER_MS; the first answer decides
 * (a malformed or refusing answer fails at once: the router has spoken); silence fails after
 * ANSWER_TIMEOUT_MS. The socket is closed whatever happens.
 */

/**
 * A router on the LAN answers within a few milliseconds; RFC 6886 waits 250 ms before its first
 * resend. One resend at 150 ms covers a lost datagram on a busy Wi-Fi.
 */
export const RESEND_AFTER_MS = 150;
/**
 * Past 300 ms a router is not speaking the protocol at all: giving up there keeps the cost of a
 * silent router to a few hundred ms (issue 10), off the join path anyway.
 */
export const ANSWER_TIMEOUT_MS = 300;

export interface GatewayAddress {
  host: string;
  port: number;
}

export type Decode<T> = (answer: Buffer) => { ok: true; value: T } | { ok: false; error: string };

/** What the exchange learned besides the answer: our own address towards the router. */
export interface ExchangeContext {
  /** The local IPv4 address the router sees our requests from (PCP puts it in the request). */
  localAddress: string;
}

export async function exchange<T>(
  gateway: GatewayAddress,
  clock: Clock,
  request: (context: ExchangeContext) => Buffer,
  decode: Decode<T>,
  timing: { resendAfterMs: number; timeoutMs: number } = {
    resendAfterMs: RESEND_AFTER_MS,
    timeoutMs: ANSWER_TIMEOUT_MS,
  },
): Promise<T> {
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(gateway.port, gateway.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const bytes = request({ localAddress: socket.address().address });
    return await answerTo(socket, bytes, clock, decode, timing);
  } finally {
    socket.close();
  }
}

function answerTo<T>(
  socket: Socket,
  bytes: Buffer,
  clock: Clock,
  decode: Decode<T>,
  timing: { resendAfterMs: number; timeoutMs: number },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const send = () => socket.send(bytes, () => {});
    const resend = clock.setTimeout(send, timing.resendAfterMs);
    const timeout = clock.setTimeout(
      () => finish(() => reject(new Error(`no answer within ${timing.timeoutMs} ms`))),
      timing.timeoutMs,
    );
    function finish(settle: () => void) {
      clock.clearTimeout(resend);
      clock.clearTimeout(timeout);
      socket.removeAllListeners('message');
      socket.removeAllListeners('error');
      settle();
    }
    socket.on('message', (message: Buffer) => {
      const decoded = decode(message);
      finish(() => (decoded.ok ? resolve(decoded.value) : reject(new Error(decoded.error))));
    });
    // ICMP port unreachable: nothing listens on the router's port.
    socket.on('error', (error: Error) =>
      finish(() => reject(new Error(`the router refused the datagram: ${error.message}`))),
    );
    send();
  });
}
