import { createSocket, type Socket } from 'node:dgram';

/**
 * Test support: a "router" on a loopback UDP socket that answers each datagram with whatever the
 * test's `answer` returns (null: silence), and keeps every request it got.
 */
export interface FakeRouter {
  port: number;
  requests: Buffer[];
  answer: (request: Buffer) => Buffer | Buffer[] | null;
  close(): Promise<void>;
}

export async function startFakeRouter(
  answer: (request: Buffer) => Buffer | Buffer[] | null,
): Promise<FakeRouter> {
  const socket: Socket = createSocket('udp4');
  const router: FakeRouter = {
    port: 0,
    requests: [],
    answer,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
  socket.on('message', (message, from) => {
    router.requests.push(Buffer.from(message));
    const reply = router.answer(message);
    for (const b of reply === null ? [] : Array.isArray(reply) ? reply : [reply])
      socket.send(b, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  router.port = socket.address().port;
  return router;
}

/** A NAT-PMP answer laid out by hand (RFC 6886 §3.2/§3.3), independent of our codec. */
export function natPmpAnswer(op: number, result: number, epoch: number, tail: number[]): Buffer {
  const b = Buffer.alloc(8 + tail.length);
  b[0] = 0;
  b[1] = op;
  b.writeUInt16BE(result, 2);
  b.writeUInt32BE(epoch, 4);
  Buffer.from(tail).copy(b, 8);
  return b;
}
