import { createSocket, type Socket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import type { DatagramListener, PublicSocket, SendOptions } from '../net/public-socket.js';

/**
 * Test support: a real UDP socket as the public socket, for tests of probes and relays over real
 * sockets on loopback (with real relay servers). It carries no tunnel: in production the public
 * socket is the WireGuard helper's, and WireGuard never enters Node.
 */
export class LoopbackUdpSocket implements PublicSocket {
  private listener: DatagramListener | null = null;
  private closed = false;
  private constructor(
    private readonly socket: Socket,
    /** Dual-stack ([::], IPv6 and IPv4 on one port), as the helper's socket on a machine with IPv6. */
    readonly hasIpv6 = false,
  ) {
    socket.on('message', (msg, rinfo) =>
      this.listener?.(msg, {
        // IPv4 on a dual-stack socket arrives as ::ffff:a.b.c.d; the helper unmaps it too.
        address: rinfo.address.startsWith('::ffff:') ? rinfo.address.slice(7) : rinfo.address,
        port: rinfo.port,
      }),
    );
    // ICMP unreachable on Linux surfaces as a socket error; a test peer going away is not one.
    socket.on('error', () => {});
  }

  /** `dualStack`: one socket on [::] that tests reach at 127.0.0.1 and ::1 on the same port. */
  static async open(host = '127.0.0.1', dualStack = false): Promise<LoopbackUdpSocket> {
    const socket = createSocket(dualStack ? { type: 'udp6', ipv6Only: false } : { type: 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, dualStack ? '::' : host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new LoopbackUdpSocket(socket, dualStack);
  }

  get localPort(): number {
    return this.socket.address().port;
  }

  /** A TTL is accepted and not applied: on loopback every packet arrives whatever its TTL. */
  send(
    data: Uint8Array | readonly Uint8Array[],
    port: number,
    host: string,
    _options?: SendOptions,
  ): void {
    if (this.closed) return;
    // Node's udp6 socket takes IPv4 destinations only in their mapped form.
    const to = this.hasIpv6 && isIPv4(host) ? `::ffff:${host}` : host;
    this.socket.send(data as Uint8Array | Uint8Array[], port, to);
  }

  listen(listener: DatagramListener): void {
    this.listener = listener;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
