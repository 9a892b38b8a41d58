import { createSocket, type Socket } from 'node:dgram';

/**
 * Test-only: a raw UDP socket on loopback that records every datagram with its source, so a
 * test can see which of the server's four sockets an answer really left from.
 */
export interface RawPeer {
  socket: Socket;
  port: number;
  host: string;
  received: { data: Buffer; from: { address: string; port: number } }[];
  send(data: Uint8Array, port: number, host: string): Promise<void>;
  /** Resolves with the next datagram, or null after `ms` of silence. */
  next(ms?: number): Promise<{ data: Buffer; from: { address: string; port: number } } | null>;
  close(): Promise<void>;
}

export async function openRawPeer(host = '127.0.0.1'): Promise<RawPeer> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, host, () => resolve()));
  socket.on('error', () => {});
  const received: RawPeer['received'] = [];
  let consumed = 0;
  const waiters: (() => void)[] = [];
  socket.on('message', (data, rinfo) => {
    received.push({ data, from: { address: rinfo.address, port: rinfo.port } });
    for (const wake of waiters.splice(0)) wake();
  });
  return {
    socket,
    port: socket.address().port,
    host,
    received,
    send: (data, port, to) =>
      new Promise((resolve, reject) =>
        socket.send(data, port, to, (e) => (e ? reject(e) : resolve())),
      ),
    next: async (ms = 1000) => {
      const deadline = Date.now() + ms;
      while (consumed >= received.length) {
        const left = deadline - Date.now();
        if (left <= 0) return null;
        await new Promise<void>((wake) => {
          const timer = setTimeout(wake, left);
          waiters.push(() => {
            clearTimeout(timer);
            wake();
          });
        });
      }
      return received[consumed++]!;
    },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
