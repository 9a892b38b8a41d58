import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { mutate, randomBytes, seededRandom } from '../../../src-shared/protocol/fuzz-bytes.js';
import type { PingReceived } from './probe-engine.js';
import { probeTestPeer } from './probe-test-peer.js';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

const peer = () => probeTestPeer(closers);

describe('ProbeEngine', () => {
  it('measures the RTT of a direct path with an authenticated ping and pong', async () => {
    const a = await peer();
    const b = await peer();
    a.engine.addPeer(b.keys.publicKey);
    b.engine.addPeer(a.keys.publicKey);
    const heard: PingReceived[] = [];
    b.engine.onPing((p) => heard.push(p));
    const rtt = await a.engine.ping(
      b.keys.publicKey,
      { kind: 'direct', host: '127.0.0.1', port: b.mux.localPort },
      1000,
    );
    expect(rtt).not.toBeNull();
    expect(rtt!).toBeGreaterThan(0);
    expect(heard).toEqual([
      { peer: a.keys.publicKey, via: { kind: 'direct', host: '127.0.0.1', port: a.mux.localPort } },
    ]);
  });

  it('ignores pings from a key it does not know, and answers nothing', async () => {
    const a = await peer();
    const b = await peer();
    a.engine.addPeer(b.keys.publicKey);
    const rtt = await a.engine.ping(
      b.keys.publicKey,
      { kind: 'direct', host: '127.0.0.1', port: b.mux.localPort },
      200,
    );
    expect(rtt).toBeNull();
    expect(b.engine.rejected).toBe(1);
  });

  it('refuses a probe signed by someone holding a different key', async () => {
    const a = await peer();
    const b = await peer();
    const impostor = await peer();
    // The impostor claims A's sender id but cannot derive A's probe key with B.
    impostor.engine.addPeer(b.keys.publicKey);
    b.engine.addPeer(a.keys.publicKey);
    (impostor.engine as unknown as { senderId: Buffer }).senderId = Buffer.from(
      a.keys.publicKey,
      'base64',
    ).subarray(0, 8);
    const rtt = await impostor.engine.ping(
      b.keys.publicKey,
      { kind: 'direct', host: '127.0.0.1', port: b.mux.localPort },
      200,
    );
    expect(rtt).toBeNull();
    expect(b.engine.rejected).toBe(1);
  });

  it('times out when the path is dead', async () => {
    const a = await peer();
    const b = await peer();
    a.engine.addPeer(b.keys.publicKey);
    const started = performance.now();
    const rtt = await a.engine.ping(
      b.keys.publicKey,
      { kind: 'direct', host: '127.0.0.1', port: 9 },
      150,
    );
    expect(rtt).toBeNull();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('answers no random or mutated probe, then still answers a good one', async () => {
    const a = await peer();
    const b = await peer();
    a.engine.addPeer(b.keys.publicKey);
    b.engine.addPeer(a.keys.publicKey);
    const attacker = createSocket('udp4');
    await new Promise<void>((r) => attacker.bind(0, '127.0.0.1', () => r()));
    closers.push(() => void attacker.close());
    let replies = 0;
    attacker.on('message', () => replies++);
    const random = seededRandom(99);
    const valid = Buffer.alloc(57);
    Buffer.from([0xff, 0x4c, 0x52, 0x50, 1, 1]).copy(valid);
    Buffer.from(a.keys.publicKey, 'base64').copy(valid, 6, 0, 8);
    for (let i = 0; i < 3000; i++) {
      const junk = i % 2 === 0 ? randomBytes(random, 80) : mutate(random, valid);
      if (junk.length > 0) junk[0] = 0xff;
      attacker.send(junk, b.mux.localPort, '127.0.0.1');
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(replies).toBe(0);
    const rtt = await a.engine.ping(
      b.keys.publicKey,
      { kind: 'direct', host: '127.0.0.1', port: b.mux.localPort },
      // The good ping queues behind whatever junk the receiver has not read yet: on a loaded
      // 2-core machine that backlog alone took over a second.
      5000,
    );
    expect(rtt).not.toBeNull();
  });
});
