import { createSocket } from 'node:dgram';

/**
 * Game-like UDP load for the lab benchmarks, run inside a namespace:
 *
 *   udp-echo.ts server <port>                                   echoes every datagram back
 *   udp-echo.ts client <host> <port> <pps> <count> <bytes>      prints one JSON result line
 *
 * The client paces `count` datagrams of `bytes` at `pps`, each carrying its sequence number, and
 * times each echo with the monotonic clock. Result: {"sent":N,"rttsMs":[…]} (lost ones missing).
 */
// Echoes still in flight after the last send get this long (far above any lab RTT).
const DRAIN_MS = 500;
// Node timers fire about every millisecond at best; each tick sends whatever is due, so the
// average rate holds even when a tick is late (a late tick sends a short burst, as a game would).
const TICK_MS = 1;
/**
 * Socket buffers of both ends of the tool, each way. At Linux's default 208 KiB a socket holds
 * ~270 small datagrams, 27 ms of the 10,000/s load: on the shared machine the tool's own Node
 * process is descheduled longer than that, and the kernel's counters (drop-counters.ts) put every
 * datagram lost at 10,000/s in UDP receive buffers of the two ends, on every route, the plain
 * underlay (where these are the only sockets) included. 4 MiB (the lab machine's
 * net.core.rmem_max; more is capped to it) makes the tool measure the tunnels.
 */
const TOOL_BUFFER_BYTES = 4 << 20;

function toolSocket() {
  return createSocket({
    type: 'udp4',
    recvBufferSize: TOOL_BUFFER_BYTES,
    sendBufferSize: TOOL_BUFFER_BYTES,
  });
}

function server(port: number): void {
  const socket = toolSocket();
  socket.on('message', (msg, rinfo) => socket.send(msg, rinfo.port, rinfo.address));
  socket.bind(port, () => process.stdout.write('ready\n'));
  process.on('SIGTERM', () => process.exit(0));
}

function client(host: string, port: number, pps: number, count: number, bytes: number): void {
  const socket = toolSocket();
  const sentAt: bigint[] = [];
  const rttsMs: number[] = [];
  const seen = new Set<number>();
  socket.on('message', (msg) => {
    if (msg.length < 4) return;
    const seq = msg.readUInt32BE(0);
    const start = sentAt[seq];
    if (start === undefined || seen.has(seq)) return;
    seen.add(seq);
    rttsMs.push(Number(process.hrtime.bigint() - start) / 1e6);
  });
  socket.bind(0, () => {
    const t0 = process.hrtime.bigint();
    const timer = setInterval(() => {
      const elapsedMs = Number(process.hrtime.bigint() - t0) / 1e6;
      const due = Math.min(count, Math.floor((elapsedMs * pps) / 1000) + 1);
      while (sentAt.length < due) {
        // A fresh buffer each time: dgram may still hold the previous one when send returns.
        const payload = Buffer.alloc(Math.max(4, bytes));
        payload.writeUInt32BE(sentAt.length, 0);
        sentAt.push(process.hrtime.bigint());
        socket.send(payload, port, host);
      }
      if (sentAt.length >= count) {
        clearInterval(timer);
        setTimeout(() => {
          process.stdout.write(`${JSON.stringify({ sent: sentAt.length, rttsMs })}\n`);
          socket.close();
        }, DRAIN_MS);
      }
    }, TICK_MS);
  });
}

const [mode, ...args] = process.argv.slice(2);
const numbers = args.map(Number);
if (mode === 'server' && numbers.length === 1) server(numbers[0]!);
else if (mode === 'client' && args.length === 5)
  client(args[0]!, numbers[1]!, numbers[2]!, numbers[3]!, numbers[4]!);
else {
  process.stderr.write(
    'usage: udp-echo.ts server <port> | client <host> <port> <pps> <count> <bytes>\n',
  );
  process.exit(2);
}
