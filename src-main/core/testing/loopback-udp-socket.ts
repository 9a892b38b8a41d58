import { createSocket, type Socket } from 'node:dgram';
import type { DatagramListener, PublicSocket } from '../net/public-socket.js';

/**
 * Test support: a real UDP socket as the public socket, for tests of probes and relays over real
 * sockets on loopback (with real relay servers). It carries no tunnel: in production the public
 * socket is the WireGuard helper's, and WireGuard never enters Node.
 */
export class LoopbackUdpSocket implements PublicSocket {
  private listener: DatagramListener | null = null;
  private closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('message', (msg, rinfo) =>
      this.listener?.(msg, { address: rinfo.address, port: rinfo.port }),
    );
    // ICMP unreachable on Linux surfaces as a socket error; a test peer going away is not one.
    socket.on('error', () => {});
  }

  static async open(host = '127.0.0.1'): Promise<LoopbackUdpSocket> {
    const socket = createSocket({ type: 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new LoopbackUdpSocket(socket);
  }

  get localPort(): number {
    return this.socket.address().port;
  }

  send(data: Uint8Array | readonly Uint8Array[], port: number, host: string): void {
    if (this.closed) return;
    this.socket.send(data as Uint8Array | Uint8Array[], port, host);
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
