import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../time/clock.js';
import { NatPmpClient } from './nat-pmp-client.js';
import { natPmpAnswer, startFakeRouter, type FakeRouter } from './testing/fake-router.js';

let router: FakeRouter | null = null;
afterEach(async () => {
  await router?.close();
  router = null;
});

/** A router at 203.0.113.7 that maps any port to 40000 for `lifetime` s, at `epoch`. */
function goodRouter(epoch: () => number, lifetime = 7200) {
  return (request: Buffer): Buffer => {
    if (request[1] === 0) return natPmpAnswer(128, 0, epoch(), [203, 0, 113, 7]);
    const internal = request.readUInt16BE(4);
    const life = request.readUInt32BE(8) === 0 ? 0 : lifetime;
    return natPmpAnswer(129, 0, epoch(), [
      internal >> 8,
      internal & 0xff,
      0x9c,
      0x40,
      0,
      0,
      life >> 8,
      life & 0xff,
    ]);
  };
}

async function clientFor(answer: (request: Buffer) => Buffer | null): Promise<NatPmpClient> {
  router = await startFakeRouter(answer);
  return new NatPmpClient({ host: '127.0.0.1', port: router.port }, systemClock);
}

describe('NatPmpClient', () => {
  it('maps our port and reports the external address and port the router gave', async () => {
    const client = await clientFor(goodRouter(() => 100));
    const mapped = await client.map(51820, 7200);
    expect(mapped).toEqual({
      externalIp: '203.0.113.7',
      externalPort: 40000,
      lifetimeS: 7200,
      routerRestarted: false,
    });
    // The map request as RFC 6886 §3.3 lays it out: ours and the suggested port both 51820.
    expect(router!.requests[1]!.toString('hex')).toBe('00010000ca6cca6c00001c20');
  });

  it('deletes with lifetime 0 and suggested port 0', async () => {
    const client = await clientFor(goodRouter(() => 100));
    await client.unmap(51820);
    expect(router!.requests[0]!.toString('hex')).toBe('00010000ca6c000000000000');
  });

  it('fails within a few hundred ms when the router never answers', async () => {
    const client = await clientFor(() => null);
    const started = Date.now();
    await expect(client.map(51820, 7200)).rejects.toThrow('no answer within 300 ms');
    // 300 ms of timeout; the margin is for a loaded machine's timers.
    expect(Date.now() - started).toBeLessThan(1_000);
    // Sent once, then once more after 150 ms of silence.
    expect(router!.requests).toHaveLength(2);
  });

  it.each([
    ['a short datagram', Buffer.from([0]), 'too short for a header'],
    ['the wrong version', Buffer.from('020080000000000000000000', 'hex'), 'version 2'],
    ['the wrong op', Buffer.from('008100000000000000000000', 'hex'), 'op 129, not 128'],
    ['a refusal', Buffer.from('008000020000000000000000', 'hex'), 'not authorized'],
    ['an unknown result code', Buffer.from('008000630000000000000000', 'hex'), 'result code 99'],
    ['a long datagram', Buffer.from('00800000000000000a0000010000', 'hex'), '14 bytes, not 12'],
    ['no external address', Buffer.from('008000000000000000000000', 'hex'), 'no external address'],
  ])('rejects %s from the router with a clear error, at once', async (_, answer, error) => {
    const client = await clientFor(() => answer);
    // The answer's own error, not "no answer within 300 ms": the answer ended the exchange.
    await expect(client.map(51820, 7200)).rejects.toThrow(error);
  });

  it('rejects an answer that maps another internal port, or port 0', async () => {
    const wrongPort = await clientFor((request) =>
      request[1] === 0
        ? natPmpAnswer(128, 0, 1, [203, 0, 113, 7])
        : natPmpAnswer(129, 0, 1, [0, 80, 0x9c, 0x40, 0, 0, 0x1c, 0x20]),
    );
    await expect(wrongPort.map(51820, 7200)).rejects.toThrow('internal port 80, not 51820');
    await router!.close();
    const portZero = await clientFor((request) =>
      request[1] === 0
        ? natPmpAnswer(128, 0, 1, [203, 0, 113, 7])
        : natPmpAnswer(129, 0, 1, [0xca, 0x6c, 0, 0, 0, 0, 0x1c, 0x20]),
    );
    await expect(portZero.map(51820, 7200)).rejects.toThrow('maps no port');
  });

  it('says the router restarted when its epoch went back', async () => {
    let epoch = 5000;
    const client = await clientFor(goodRouter(() => epoch));
    expect((await client.map(51820, 7200)).routerRestarted).toBe(false);
    epoch = 3; // rebooted: its epoch starts again near zero
    expect((await client.map(51820, 7200)).routerRestarted).toBe(true);
    expect((await client.map(51820, 7200)).routerRestarted).toBe(false);
  });
});
