import { createSocket } from 'node:dgram';
import stun, { type StunResponse } from 'stun';
import { detectNat } from '../../../src-main/core/nat/nat-detector.js';
import {
  StunClient,
  STUN_FINAL_WAIT_MS,
  STUN_INITIAL_RTO_MS,
  STUN_MAX_TRANSMISSIONS,
} from '../../../src-main/core/nat/stun-client.js';
import { classifyPacket } from '../../../src-shared/protocol/packet-kind.js';
import { startStunServer } from '../stun-server.js';

/**
 * STUN figures on loopback, each beside a baseline, as a ratio. Run: npx tsx <this file>.
 *
 * - Binding answers per second: lanrage-stun (RFC 5780 mode, strict framing) vs the `stun`
 *   package's own example server (decode + XOR-MAPPED-ADDRESS), same load generator.
 * - NAT detection time (the full RFC 5780 run, 5 transactions): vs one plain Binding round trip.
 * - Time to "unknown" with no server answering: vs RFC 5389 §7.2.1's default give-up time (39.5 s,
 *   computed from its Rc = 7, RTO = 500 ms, Rm = 16; not measured).
 * Server and load share this process and the machine's 2 cores: compare ratios, not absolutes.
 */

const THROUGHPUT_MS = 2000;
/** Requests in flight: enough to keep the server busy, few enough not to overflow socket buffers. */
const WINDOW = 32;
/** Loopback loses nothing in practice; if it does, refill the window after this much silence. */
const STALL_MS = 100;

async function throughput(port: number): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const requests = Array.from({ length: 256 }, () =>
    stun.createMessage(stun.constants.STUN_BINDING_REQUEST).toBuffer(),
  );
  let sent = 0;
  let answered = 0;
  let lastAnswer = performance.now();
  const sendOne = () => socket.send(requests[sent++ % requests.length]!, port, '127.0.0.1');
  const started = performance.now();
  let running = true;
  socket.on('message', () => {
    answered++;
    lastAnswer = performance.now();
    if (running) sendOne();
  });
  for (let i = 0; i < WINDOW; i++) sendOne();
  while (performance.now() - started < THROUGHPUT_MS) {
    await new Promise((r) => setTimeout(r, 20));
    if (performance.now() - lastAnswer > STALL_MS) for (let i = 0; i < WINDOW; i++) sendOne();
  }
  running = false;
  const elapsed = performance.now() - started;
  await new Promise<void>((r) => socket.close(() => r()));
  return (answered / elapsed) * 1000;
}

async function baselineServer(): Promise<{ port: number; close: () => void }> {
  // The package's example server (examples/stun-server.js), on a socket bound to loopback.
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const wrapped = stun.createServer({ type: 'udp4', socket });
  wrapped.on(
    stun.constants.STUN_EVENT_BINDING_REQUEST,
    (request: StunResponse, rinfo: { address: string; port: number }) => {
      const reply = stun.createMessage(stun.constants.STUN_BINDING_RESPONSE, request.transactionId);
      reply.addXorAddress(rinfo.address, rinfo.port);
      wrapped.send(reply, rinfo.port, rinfo.address);
    },
  );
  wrapped.on('error', () => {});
  return { port: socket.address().port, close: () => socket.close() };
}

async function publicClient() {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const client = new StunClient({ send: (d, p, h) => socket.send(d, p, h) });
  socket.on('message', (data, rinfo) => {
    if (classifyPacket(data) === 'stun') client.handle(data, rinfo);
  });
  return { client, port: socket.address().port, close: () => (client.close(), socket.close()) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const line = (name: string, value: number, unit: string, baseline: number, ratio: number) =>
  console.log(
    `${name.padEnd(44)} ${value.toFixed(2).padStart(10)} ${unit.padEnd(8)} baseline ${baseline
      .toFixed(2)
      .padStart(10)} ${unit.padEnd(8)} ratio ${ratio.toFixed(3)}`,
  );

async function main() {
  const ours = await startStunServer({
    listen: { host: '127.0.0.1', port: 0 },
    alternate: { host: '127.0.0.2', port: 0 },
    rateLimit: false, // one load generator is one source IP
  });
  const base = await baselineServer();

  await throughput(ours.primary.port); // warm-up
  const oursRate = await throughput(ours.primary.port);
  const baseRate = await throughput(base.port);
  line(
    'binding answers/s (lanrage-stun vs stun pkg)',
    oursRate,
    'req/s',
    baseRate,
    oursRate / baseRate,
  );

  const detections: number[] = [];
  const singles: number[] = [];
  for (let i = 0; i < 15; i++) {
    const c = await publicClient();
    let t = performance.now();
    const result = await detectNat({
      servers: [ours.primary],
      client: c.client,
      localEndpoints: [{ host: '127.0.0.1', port: c.port }],
    });
    detections.push(performance.now() - t);
    if (result.natType !== 'open')
      throw new Error(`expected open on loopback, got ${result.natType}`);
    t = performance.now();
    await c.client.binding(ours.primary);
    singles.push(performance.now() - t);
    c.close();
  }
  const detectMs = median(detections);
  const singleMs = median(singles);
  line('NAT detection, RFC 5780 (median of 15)', detectMs, 'ms', singleMs, detectMs / singleMs);

  const silent = createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
  const c = await publicClient();
  const t = performance.now();
  await detectNat({
    servers: [{ host: '127.0.0.1', port: silent.address().port }],
    client: c.client,
    localEndpoints: [],
  });
  const unknownMs = performance.now() - t;
  const rfcDefaultMs = 500 * (2 ** 6 - 1) + 16 * 500;
  line(
    'time to unknown, no server answering',
    unknownMs,
    'ms',
    rfcDefaultMs,
    unknownMs / rfcDefaultMs,
  );
  console.log(
    `(client timers: RTO ${STUN_INITIAL_RTO_MS} ms, ${STUN_MAX_TRANSMISSIONS} transmissions, final wait ${STUN_FINAL_WAIT_MS} ms)`,
  );
  c.close();
  silent.close();
  base.close();
  await ours.close();
}

await main();
