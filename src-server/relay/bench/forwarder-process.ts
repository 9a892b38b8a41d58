import dgram from 'node:dgram';
import { startRelay } from '../relay-server.js';

/**
 * The far end of the forwarding bench, in its own process so the load generator does not share
 * its event loop. `relay`: the real relay (all checks on; budgets raised because the whole bench
 * comes from one loopback address). `bare`: the baseline, a UDP forwarder with no checks at all
 * that bounces each datagram between two fixed ports. Reports its port over IPC; `bare` then
 * takes the two client ports as {type: 'configure', a, b}. Either answers {type: 'cpu'} with its
 * CPU time so far, which the bench turns into CPU cost per forwarded packet.
 */

/** Same socket buffers for both, so neither wins by buffering more. */
const SOCKET_BUFFER_BYTES = 1 << 20;

function report(message: unknown): void {
  if (!process.send) throw new Error('run me with an IPC channel (the bench does)');
  process.send(message);
}

interface ConfigureMessage {
  type: 'configure';
  a: number;
  b: number;
}
type ControlMessage = ConfigureMessage | { type: 'cpu' };

let configure: (message: ConfigureMessage) => void = () => {};
process.on('message', (message: ControlMessage) => {
  if (message.type === 'cpu') {
    const usage = process.cpuUsage();
    report({ cpuMicros: usage.user + usage.system });
  } else {
    configure(message);
  }
});

const mode = process.argv[2];
if (mode === 'relay') {
  const relay = await startRelay({
    secret: Buffer.from(process.env.BENCH_RELAY_SECRET ?? '', 'utf8'),
    host: '127.0.0.1',
    sourceRate: { packetsPerSecond: 1e9, burst: 1e9 },
    bindRate: { packetsPerSecond: 1e9, burst: 1e9 },
  });
  report({ port: relay.port });
  process.on('disconnect', () => void relay.close().then(() => process.exit(0)));
} else if (mode === 'bare') {
  const socket = dgram.createSocket({
    type: 'udp4',
    recvBufferSize: SOCKET_BUFFER_BYTES,
    sendBufferSize: SOCKET_BUFFER_BYTES,
  });
  let a = 0;
  let b = 0;
  socket.on('message', (msg, from) => {
    socket.send(msg, from.port === a ? b : a, '127.0.0.1');
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  configure = (message) => {
    a = message.a;
    b = message.b;
    report({ configured: true });
  };
  report({ port: socket.address().port });
  process.on('disconnect', () => socket.close(() => process.exit(0)));
} else {
  process.stderr.write('usage: forwarder-process.ts relay|bare\n');
  process.exit(2);
}
