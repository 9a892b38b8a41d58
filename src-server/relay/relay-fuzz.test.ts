import { afterEach, expect, it } from 'vitest';
import { buildRelayBind, type RelayRoute } from '../../src-main/core/relay/relay-frames-client.js';
import { encodeRelayData, RELAY_MAGIC } from '../../src-shared/protocol/relay-frames.js';
import { startRelay, type RelayHandle } from './relay-server.js';
import {
  bindAtRelay,
  grantPair,
  openClient,
  seededRandom,
  TEST_SECRET,
  until,
  type TestClient,
} from './relay-test-kit.js';

/** Enough frames to hit every branch many times over, small enough to run in about a second. */
const FUZZ_FRAMES = 6000;
/** Sent in batches so the relay's socket buffer never overflows (a lost frame is not a test). */
const BATCH = 200;
const SEED = 0x1a2b3c4d;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function bindPair(
  relay: RelayHandle,
  a: TestClient,
  b: TestClient,
  routes: [RelayRoute, RelayRoute],
) {
  for (const [c, route] of [
    [a, routes[0]],
    [b, routes[1]],
  ] as const) {
    expect(await bindAtRelay(c, relay.port, route)).toHaveProperty('peerBound');
  }
}

async function exchange(
  relay: RelayHandle,
  a: TestClient,
  b: TestClient,
  routes: [RelayRoute, RelayRoute],
) {
  const toB = Buffer.from(encodeRelayData(routes[0].routeId, Buffer.from('still serving side 1')));
  const toA = Buffer.from(encodeRelayData(routes[1].routeId, Buffer.from('still serving side 0')));
  await a.send(toB, relay.port);
  expect(await b.next()).toEqual(toB);
  await b.send(toA, relay.port);
  expect(await a.next()).toEqual(toA);
}

it('answers none of thousands of random and mutated frames, stays up, and still serves good clients', async () => {
  const now = Date.now();
  const relay = await startRelay({
    secret: TEST_SECRET,
    host: '127.0.0.1',
    // The fuzzer is one source: lift its budgets so every frame reaches the parsers.
    sourceRate: { packetsPerSecond: 1e9, burst: 1e9 },
    bindRate: { packetsPerSecond: 1e9, burst: 1e9 },
  });
  cleanups.push(() => relay.close());
  const a = await openClient();
  const b = await openClient();
  const fuzzer = await openClient();
  cleanups.push(
    () => a.close(),
    () => b.close(),
    () => fuzzer.close(),
  );
  const routes = grantPair(TEST_SECRET, Math.floor(now / 1000) + 3600);
  await bindPair(relay, a, b, routes);

  const random = seededRandom(SEED);
  const int = (n: number) => Math.floor(random() * n);
  // Seeds for mutation: the BINDs the relay accepted (so even an unmutated copy is a replay), a
  // never-sent BIND (mutated at least one byte, so its MAC fails), and valid DATA.
  const seeds = [
    a.sent.at(-1)!,
    b.sent.at(-1)!,
    buildRelayBind(routes[0], BigInt(now) * 1000n + 10_000_000n),
    Buffer.from(encodeRelayData(routes[0].routeId, Buffer.from('payload'))),
    Buffer.from(encodeRelayData(routes[1].routeId, Buffer.alloc(0))),
  ];
  const generators: (() => Buffer)[] = [
    () => Buffer.from(Array.from({ length: int(1500) }, () => int(256))),
    () => {
      const body = Buffer.from(Array.from({ length: int(80) }, () => int(256)));
      return Buffer.concat([RELAY_MAGIC, Buffer.from([1, int(5)]), body]);
    },
    () => {
      const frame = Buffer.from(seeds[int(seeds.length)]!);
      const flips = 1 + int(4);
      for (let i = 0; i < flips; i++) frame[int(frame.length)]! ^= 1 + int(255);
      // A DATA frame from the fuzzer's address is refused whatever its bytes; a BIND must differ.
      return frame;
    },
    () => Buffer.from(seeds[int(seeds.length)]!).subarray(0, int(seeds[0]!.length)),
    () => Buffer.concat([seeds[int(3)]!, Buffer.from([int(256)])]),
    () =>
      Buffer.from(encodeRelayData(seeds[3]!.subarray(6, 14), Buffer.alloc(int(1400), int(256)))),
    // Exact replays of accepted BINDs from a new address: must not steal a side.
    () => Buffer.from(seeds[int(2)]!),
    // A genuine token with a damaged BIND MAC or counter.
    () => {
      const frame = Buffer.from(seeds[int(3)]!);
      // Anywhere from the token's tag to the MAC: tag, counter, cookie or MAC itself.
      frame[36 + int(48)]! ^= 1 + int(255);
      return frame;
    },
  ];

  const before = relay.stats.snapshot();
  for (let sent = 0; sent < FUZZ_FRAMES; sent += BATCH) {
    for (let i = 0; i < BATCH; i++)
      await fuzzer.send(generators[int(generators.length)]!(), relay.port);
    await until(() => relay.stats.packetsIn === before.packetsIn + sent + BATCH, 5000, 'the batch');
  }
  await new Promise((resolve) => setTimeout(resolve, 100));

  expect(fuzzer.received).toHaveLength(0);
  const after = relay.stats.snapshot();
  expect(after.droppedPackets - before.droppedPackets).toBe(FUZZ_FRAMES);
  expect(after.packetsOut).toBe(before.packetsOut);
  expect(after.bindsAccepted).toBe(before.bindsAccepted);
  expect(a.received).toHaveLength(2); // the CHALLENGE and BIND_ACK of its own bind
  expect(b.received).toHaveLength(2);
  // The fuzz reached every refusal a lone hostile source can cause, not just the first check.
  const reached = (Object.keys(after.drops) as (keyof typeof after.drops)[]).filter(
    (reason) => after.drops[reason] > before.drops[reason],
  );
  expect(reached.sort()).toEqual(
    [
      'bad-bind-mac',
      'bad-token',
      'bad-version',
      'not-relay-frame',
      'replayed-bind',
      'token-expired',
      'truncated',
      'unbound-source',
      'unknown-route',
      'unknown-type',
    ].sort(),
  );

  await exchange(relay, a, b, routes);
  const c = await openClient();
  const d = await openClient();
  cleanups.push(
    () => c.close(),
    () => d.close(),
  );
  const fresh = grantPair(TEST_SECRET, Math.floor(now / 1000) + 3600);
  await bindPair(relay, c, d, fresh);
  await exchange(relay, c, d, fresh);
});
