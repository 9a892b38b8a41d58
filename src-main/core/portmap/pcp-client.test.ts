import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../time/clock.js';
import { PcpClient } from './pcp-client.js';
import { startFakeRouter, type FakeRouter } from './testing/fake-router.js';

let router: FakeRouter | null = null;
afterEach(async () => {
  await router?.close();
  router = null;
});

const NONCE = Buffer.from('0102030405060708090a0b0c', 'hex');

/**
 * A MAP answer laid out by hand from RFC 6887 §7.2 and §11.1, echoing the request's nonce and
 * internal port unless told otherwise.
 */
function mapAnswer(
  request: Buffer,
  o: { result?: number; lifetime?: number; epoch?: number; port?: number; ip?: number[] } = {},
): Buffer {
  const b = Buffer.alloc(60);
  b[0] = 2;
  b[1] = 0x81;
  b[3] = o.result ?? 0;
  b.writeUInt32BE(o.lifetime ?? request.readUInt32BE(4), 4);
  b.writeUInt32BE(o.epoch ?? 1000, 8);
  request.copy(b, 24, 24, 44); // nonce, protocol, reserved, internal port
  b.writeUInt16BE(o.port ?? 40000, 42);
  b.writeUInt16BE(0xffff, 54);
  Buffer.from(o.ip ?? [203, 0, 113, 7]).copy(b, 56);
  return b;
}

async function clientFor(answer: (request: Buffer) => Buffer | null): Promise<PcpClient> {
  router = await startFakeRouter(answer);
  return new PcpClient({ host: '127.0.0.1', port: router.port }, systemClock, () =>
    Buffer.from(NONCE),
  );
}

describe('PcpClient', () => {
  it('sends a MAP request as RFC 6887 lays it out and reports what the router assigned', async () => {
    const client = await clientFor((request) => mapAnswer(request));
    expect(await client.map(51820, 7200)).toEqual({
      externalIp: '203.0.113.7',
      externalPort: 40000,
      lifetimeS: 7200,
      routerRestarted: false,
    });
    expect(router!.requests[0]!.toString('hex')).toBe(
      '02010000' + // version 2, MAP request, reserved
        '00001c20' + // lifetime 7200 s
        '00000000000000000000ffff7f000001' + // our address 127.0.0.1, IPv4-mapped
        '0102030405060708090a0b0c' + // nonce
        '11000000' + // UDP, reserved
        'ca6cca6c' + // internal 51820, suggested external 51820
        '00000000000000000000ffff00000000', // suggested external address: any
    );
  });

  it('deletes with lifetime 0 and the same nonce', async () => {
    const client = await clientFor((request) => mapAnswer(request));
    await client.map(51820, 7200);
    await client.unmap(51820);
    const deletion = router!.requests[1]!;
    expect(deletion.readUInt32BE(4)).toBe(0);
    expect(deletion.subarray(24, 36).toString('hex')).toBe('0102030405060708090a0b0c');
  });

  it('fails within a few hundred ms when the router never answers', async () => {
    const client = await clientFor(() => null);
    const started = Date.now();
    await expect(client.map(51820, 7200)).rejects.toThrow('no answer within 300 ms');
    // 300 ms of timeout; the margin is for a loaded machine's timers.
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it.each([
    ['a NAT-PMP-only router', () => Buffer.from('008100010000000000000000', 'hex'), 'version 0'],
    ['a request echoed back', (r: Buffer) => r, 'opcode byte 1'],
    ['a refusal', (r: Buffer) => mapAnswer(r, { result: 2 }), 'not authorized'],
    ['a truncated MAP', (r: Buffer) => mapAnswer(r).subarray(0, 40), 'shorter than a MAP'],
    [
      'a ragged length',
      (r: Buffer) => Buffer.concat([mapAnswer(r), Buffer.alloc(3)]),
      'whole number of words',
    ],
    [
      'another nonce',
      (r: Buffer) => {
        const b = mapAnswer(r);
        b.writeUInt8(b.readUInt8(24) ^ 0xff, 24);
        return b;
      },
      'another mapping nonce',
    ],
    [
      'another internal port',
      (r: Buffer) => {
        const b = mapAnswer(r);
        b.writeUInt16BE(80, 40);
        return b;
      },
      'internal port 80, not 51820',
    ],
    ['lifetime 0', (r: Buffer) => mapAnswer(r, { lifetime: 0 }), 'lifetime of 0 s'],
    ['external port 0', (r: Buffer) => mapAnswer(r, { port: 0 }), 'external port 0'],
    [
      'no external address',
      (r: Buffer) => mapAnswer(r, { ip: [0, 0, 0, 0] }),
      'no external address',
    ],
  ])('rejects %s with a clear error, at once', async (_, answer, error) => {
    const client = await clientFor(answer);
    // The answer's own error, not "no answer within 300 ms": the answer ended the exchange.
    await expect(client.map(51820, 7200)).rejects.toThrow(error);
  });

  it('accepts options after the MAP payload', async () => {
    const client = await clientFor((r) => Buffer.concat([mapAnswer(r), Buffer.alloc(8)]));
    expect((await client.map(51820, 7200)).externalPort).toBe(40000);
  });

  it('says the router restarted when its epoch went back', async () => {
    let epoch = 90_000;
    const client = await clientFor((r) => mapAnswer(r, { epoch }));
    expect((await client.map(51820, 7200)).routerRestarted).toBe(false);
    epoch = 12;
    expect((await client.map(51820, 7200)).routerRestarted).toBe(true);
  });
});
