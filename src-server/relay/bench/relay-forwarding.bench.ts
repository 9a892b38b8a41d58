import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';
import {
  buildRelayBind,
  verifyRelayAnswer,
} from '../../../src-main/core/relay/relay-frames-client.js';
import {
  encodeRelayData,
  RELAY_DATA_HEADER_LENGTH,
} from '../../../src-shared/protocol/relay-frames.js';
import { grantPair, TEST_SECRET } from '../relay-test-kit.js';

/**
 * Relay forwarding bench: packets/s forwarded at 100- and 1400-byte datagrams, and one-way
 * latency p50/p99, for the real relay and for a bare UDP forwarder with no checks (the baseline),
 * each in its own process; this process is the load generator (sides A and B of one route).
 *
 *   npx tsx src-server/relay/bench/relay-forwarding.bench.ts
 *
 * Aim: relay rate ≥ 0.8 × bare; relay p50 ≤ bare p50 + 50 µs. Both targets get the very same
 * datagrams; trials alternate bare/relay and the median of ROUNDS is reported, because this
 * machine is shared and a single trial is noisy.
 */

const SIZES = [100, 1400];
const ROUNDS = 5;
/** Packets kept in flight: enough to keep the forwarder busy, few enough not to overflow buffers. */
const WINDOW = 32;
const WARMUP_MS = 300;
const MEASURE_MS = 1000;
/** With no delivery for this long, assume a loss and refill the window. */
const STALL_MS = 20;
const LATENCY_SAMPLES = 3000;
const LATENCY_WARMUP = 300;
const FORWARDER = fileURLToPath(new URL('./forwarder-process.ts', import.meta.url));

interface Forwarder {
  child: ChildProcess;
  port: number;
}

function startForwarder(mode: 'relay' | 'bare'): Promise<Forwarder> {
  const child = spawn(process.execPath, ['--import', 'tsx', FORWARDER, mode], {
    env: {
      ...process.env,
      BENCH_RELAY_SECRET: TEST_SECRET.toString('utf8'),
      LANRAGE_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve({ child, port: m.port }));
    child.once('exit', (code) => reject(new Error(`${mode} forwarder exited with ${code}`)));
  });
}

async function openSocket(): Promise<dgram.Socket> {
  const socket = dgram.createSocket({
    type: 'udp4',
    recvBufferSize: 1 << 20,
    sendBufferSize: 1 << 20,
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

const a = await openSocket();
const b = await openSocket();
let onA: (msg: Buffer) => void = () => {};
let onB: (msg: Buffer) => void = () => {};
a.on('message', (msg) => onA(msg));
b.on('message', (msg) => onB(msg));

function cpuMicros(forwarder: Forwarder): Promise<number> {
  return new Promise((resolve) => {
    forwarder.child.once('message', (m: { cpuMicros: number }) => resolve(m.cpuMicros));
    forwarder.child.send({ type: 'cpu' });
  });
}

interface Trial {
  /** Packets/s delivered (wall clock: depends on what else the machine is doing). */
  rate: number;
  /** The forwarder's CPU µs per forwarded packet (steadier on a shared machine). */
  cpuPerPacket: number;
}

/** Packets/s delivered A → forwarder → B with WINDOW in flight. */
async function throughput(forwarder: Forwarder, frame: Buffer): Promise<Trial> {
  const port = forwarder.port;
  let received = 0;
  let lastProgress = performance.now();
  const send = () => a.send(frame, port, '127.0.0.1');
  onB = () => {
    received++;
    lastProgress = performance.now();
    send();
  };
  const refill = setInterval(() => {
    if (performance.now() - lastProgress > STALL_MS) {
      lastProgress = performance.now();
      for (let i = 0; i < WINDOW; i++) send();
    }
  }, STALL_MS);
  for (let i = 0; i < WINDOW; i++) send();
  await sleep(WARMUP_MS);
  const cpu0 = await cpuMicros(forwarder);
  const start = received;
  const t0 = performance.now();
  await sleep(MEASURE_MS);
  const count = received - start;
  const rate = (count * 1000) / (performance.now() - t0);
  const cpu1 = await cpuMicros(forwarder);
  clearInterval(refill);
  onB = () => {};
  await sleep(50); // let the window drain
  return { rate, cpuPerPacket: (cpu1 - cpu0) / Math.max(1, count) };
}

/** One-way A → B latency in µs, one packet at a time: [p50, p99]. */
async function latency(port: number, frame: Buffer): Promise<[number, number]> {
  const samples: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES + LATENCY_WARMUP; i++) {
    const t0 = process.hrtime.bigint();
    const arrived = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 100); // a lost packet costs a sample, not the run
      onB = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    a.send(frame, port, '127.0.0.1');
    await arrived;
    if (i >= LATENCY_WARMUP) samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  onB = () => {};
  samples.sort((x, y) => x - y);
  return [samples[Math.floor(samples.length * 0.5)]!, samples[Math.floor(samples.length * 0.99)]!];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const [relay, bare] = await Promise.all([startForwarder('relay'), startForwarder('bare')]);
try {
  // Configure the baseline with the two client ports, and BIND both sides at the relay.
  await new Promise<void>((resolve) => {
    bare.child.once('message', () => resolve());
    bare.child.send({ type: 'configure', a: a.address().port, b: b.address().port });
  });
  const [routeA, routeB] = grantPair(TEST_SECRET, Math.floor(Date.now() / 1000) + 3600);
  for (const [socket, route, set] of [
    [a, routeA, (f: (m: Buffer) => void) => (onA = f)],
    [b, routeB, (f: (m: Buffer) => void) => (onB = f)],
  ] as const) {
    // As a real client binds: a timestamp counter, and the BIND again with the cookie of the
    // relay's CHALLENGE (the first BIND from an address is always challenged).
    const counter = BigInt(Date.now()) * 1000n;
    let cookie: Buffer | null = null;
    for (let round = 0; ; round++) {
      const answer = new Promise<Buffer>((resolve) => set(resolve));
      socket.send(buildRelayBind(route, counter, cookie), relay.port, '127.0.0.1');
      const result = verifyRelayAnswer(route, await answer);
      if (!result.ok) throw new Error(`relay BIND failed: ${result.error}`);
      if (result.value.kind === 'ack') break;
      if (result.value.kind === 'refused' || round > 0) {
        throw new Error(`relay BIND failed: ${result.value.kind}`);
      }
      cookie = result.value.cookie;
    }
  }
  onA = () => {};

  const results: Record<string, number> = {};
  const lines: string[] = [];
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  for (const size of SIZES) {
    const frame = Buffer.from(
      encodeRelayData(routeA.routeId, Buffer.alloc(size - RELAY_DATA_HEADER_LENGTH, 0x5a)),
    );
    const trials = { relay: [] as Trial[], bare: [] as Trial[] };
    for (let round = 0; round < ROUNDS; round++) {
      trials.bare.push(await throughput(bare, frame));
      trials.relay.push(await throughput(relay, frame));
    }
    const r = median(trials.relay.map((t) => t.rate));
    const base = median(trials.bare.map((t) => t.rate));
    const rCpu = median(trials.relay.map((t) => t.cpuPerPacket));
    const baseCpu = median(trials.bare.map((t) => t.cpuPerPacket));
    results[`rate_${size}_relay_pps`] = r;
    results[`rate_${size}_bare_pps`] = base;
    results[`rate_${size}_ratio`] = r / base;
    results[`cpu_${size}_relay_us_per_packet`] = rCpu;
    results[`cpu_${size}_bare_us_per_packet`] = baseCpu;
    // Packets/s one core could forward at that CPU cost, relay over bare.
    results[`capacity_${size}_ratio`] = baseCpu / rCpu;
    lines.push(
      `forwarding rate, ${size} B: relay ${fmt(r)} pkt/s, bare ${fmt(base)} pkt/s, ratio ${(r / base).toFixed(2)} (aim >= 0.80)`,
      `forwarding CPU, ${size} B: relay ${rCpu.toFixed(2)} us/pkt, bare ${baseCpu.toFixed(2)} us/pkt, ` +
        `capacity ratio ${(baseCpu / rCpu).toFixed(2)} (one core: relay ${fmt(1e6 / rCpu)} pkt/s, bare ${fmt(1e6 / baseCpu)} pkt/s)`,
    );
  }

  const frame = Buffer.from(
    encodeRelayData(routeA.routeId, Buffer.alloc(100 - RELAY_DATA_HEADER_LENGTH, 0x5a)),
  );
  const lat = { relay: [] as [number, number][], bare: [] as [number, number][] };
  for (let round = 0; round < ROUNDS; round++) {
    lat.bare.push(await latency(bare.port, frame));
    lat.relay.push(await latency(relay.port, frame));
  }
  const p = (list: [number, number][], i: 0 | 1) => median(list.map((x) => x[i]));
  for (const [name, i] of [
    ['p50', 0],
    ['p99', 1],
  ] as const) {
    const r = p(lat.relay, i);
    const base = p(lat.bare, i);
    results[`latency_${name}_relay_us`] = r;
    results[`latency_${name}_bare_us`] = base;
    results[`latency_${name}_added_us`] = r - base;
    results[`latency_${name}_ratio`] = r / base;
    lines.push(
      `one-way latency ${name}, 100 B: relay ${r.toFixed(1)} us, bare ${base.toFixed(1)} us, ` +
        `added ${(r - base).toFixed(1)} us, ratio ${(r / base).toFixed(2)}` +
        (name === 'p50' ? ' (aim: added <= 50 us)' : ''),
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
  process.stdout.write(`BENCH_JSON ${JSON.stringify({ bench: 'relay-forwarding', ...results })}\n`);
} finally {
  relay.child.disconnect();
  bare.child.disconnect();
  a.close();
  b.close();
}
