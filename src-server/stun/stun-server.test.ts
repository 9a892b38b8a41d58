import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import stun from 'stun';
import { afterEach, describe, expect, it } from 'vitest';
import { parseBindingResponse } from '../../src-main/core/nat/stun-message.js';
import { parseStunFrame } from '../../src-shared/protocol/stun-framing.js';
import { startStunServer, type RunningStunServer } from './stun-server.js';
import { openRawPeer, type RawPeer } from './stun-test-helpers.js';

const { constants: C } = stun;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function rfc5780Server(): Promise<RunningStunServer> {
  const server = await startStunServer({
    listen: { host: '127.0.0.1', port: 0 },
    alternate: { host: '127.0.0.2', port: 0 },
  });
  cleanup.push(() => server.close());
  return server;
}

async function plainServer(): Promise<RunningStunServer> {
  const server = await startStunServer({ listen: { host: '127.0.0.1', port: 0 } });
  cleanup.push(() => server.close());
  return server;
}

async function peer(): Promise<RawPeer> {
  const p = await openRawPeer();
  cleanup.push(() => p.close());
  return p;
}

/** The `stun` package's own client, on a socket we own so we know what it should be mapped to. */
async function packageRequest(port: number, message?: ReturnType<typeof stun.createMessage>) {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  cleanup.push(() => new Promise<void>((r) => socket.close(() => r())));
  const response = await stun.request(`stun://127.0.0.1:${port}`, {
    socket,
    message,
    timeout: 200,
    retries: 3,
  });
  return { response, local: socket.address() };
}

describe('lanrage-stun with an alternate address (RFC 5780)', () => {
  it('binds all four transport addresses: two IPs times two ports', async () => {
    const server = await rfc5780Server();
    const { pp, pa, ap, aa } = server.sockets;
    expect(pp!.host).toBe('127.0.0.1');
    expect(aa!.host).toBe('127.0.0.2');
    expect(pa).toEqual({ host: '127.0.0.1', port: aa!.port });
    expect(ap).toEqual({ host: '127.0.0.2', port: pp!.port });
    expect(pp!.port).not.toBe(aa!.port);
    expect(server.other).toEqual(aa);
  });

  it('answers the stun package client with XOR-MAPPED-ADDRESS, OTHER-ADDRESS and RESPONSE-ORIGIN', async () => {
    const server = await rfc5780Server();
    const { response, local } = await packageRequest(server.primary.port);
    expect(response.type).toBe(C.STUN_BINDING_RESPONSE);
    expect(response.getXorAddress()).toMatchObject({ address: '127.0.0.1', port: local.port });
    expect(response.getAddress()).toMatchObject({ address: '127.0.0.1', port: local.port });
    expect(response.getAttribute(C.STUN_ATTR_OTHER_ADDRESS)?.value).toMatchObject({
      address: '127.0.0.2',
      port: server.other!.port,
    });
    expect(response.getAttribute(C.STUN_ATTR_RESPONSE_ORIGIN)?.value).toMatchObject({
      address: '127.0.0.1',
      port: server.primary.port,
    });
  });

  it.each([
    { flags: 0x0, label: 'no change', role: 'pp' },
    { flags: 0x4, label: 'change IP', role: 'ap' },
    { flags: 0x2, label: 'change port', role: 'pa' },
    { flags: 0x6, label: 'change IP and port', role: 'aa' },
  ] as const)(
    'answers a CHANGE-REQUEST ($label) from the socket RFC 5780 Table 1 names',
    async ({ flags, role }) => {
      const server = await rfc5780Server();
      const p = await peer();
      const request = stun.createMessage(C.STUN_BINDING_REQUEST);
      if (flags !== 0) request.addAttribute(C.STUN_ATTR_CHANGE_REQUEST, flags);
      await p.send(request.toBuffer(), server.primary.port, server.primary.host);
      const answer = await p.next();
      const expected = server.sockets[role]!;
      expect(answer?.from).toEqual({ address: expected.host, port: expected.port });
      const decoded = stun.decode(answer!.data);
      expect(decoded.transactionId.equals(request.transactionId)).toBe(true);
      expect(decoded.getAttribute(C.STUN_ATTR_RESPONSE_ORIGIN)?.value).toMatchObject({
        address: expected.host,
        port: expected.port,
      });
      expect(decoded.getXorAddress()).toMatchObject({ address: '127.0.0.1', port: p.port });
    },
  );

  it('names the other IP and port as OTHER-ADDRESS for a request that reached the alternate', async () => {
    const server = await rfc5780Server();
    const p = await peer();
    const request = stun.createMessage(C.STUN_BINDING_REQUEST);
    await p.send(request.toBuffer(), server.other!.port, server.other!.host);
    const answer = await p.next();
    expect(answer?.from).toEqual({ address: '127.0.0.2', port: server.other!.port });
    expect(stun.decode(answer!.data).getAttribute(C.STUN_ATTR_OTHER_ADDRESS)?.value).toMatchObject({
      address: '127.0.0.1',
      port: server.primary.port,
    });
  });

  it('answers a CHANGE-REQUEST of the wrong size with 400 Bad Request from where it arrived', async () => {
    const server = await rfc5780Server();
    const p = await peer();
    // Header (Binding request, length 8) + CHANGE-REQUEST with 2 value bytes and 2 of padding.
    const request = Buffer.from(
      '000100082112a442' + 'aa'.repeat(12) + '00030002' + '00060000',
      'hex',
    );
    await p.send(request, server.primary.port, server.primary.host);
    const answer = await p.next();
    expect(answer?.from.port).toBe(server.primary.port);
    expect(parseBindingResponse(answer!.data)).toMatchObject({
      value: { kind: 'error', code: 400 },
    });
  });

  it('refuses to start with the same IP twice or a wildcard address', async () => {
    await expect(
      startStunServer({
        listen: { host: '127.0.0.1', port: 0 },
        alternate: { host: '127.0.0.1', port: 0 },
      }),
    ).rejects.toThrow(/different IP/);
    await expect(
      startStunServer({
        listen: { host: '0.0.0.0', port: 0 },
        alternate: { host: '127.0.0.2', port: 0 },
      }),
    ).rejects.toThrow(/concrete IP/);
  });
});

describe('lanrage-stun without an alternate address (RFC 5389)', () => {
  it('answers with XOR-MAPPED-ADDRESS and no OTHER-ADDRESS', async () => {
    const server = await plainServer();
    const { response, local } = await packageRequest(server.primary.port);
    expect(response.getXorAddress()).toMatchObject({ address: '127.0.0.1', port: local.port });
    expect(response.getAttribute(C.STUN_ATTR_OTHER_ADDRESS)).toBeUndefined();
  });

  it('answers over IPv6 with an IPv6 XOR-MAPPED-ADDRESS', async () => {
    const server = await startStunServer({ listen: { host: '::1', port: 0 } });
    cleanup.push(() => server.close());
    const socket = createSocket('udp6');
    await new Promise<void>((r) => socket.bind(0, '::1', () => r()));
    cleanup.push(() => new Promise<void>((r) => socket.close(() => r())));
    const request = stun.createMessage(C.STUN_BINDING_REQUEST);
    const answer = new Promise<Buffer>((resolve) => socket.once('message', resolve));
    socket.send(request.toBuffer(), server.primary.port, '::1');
    expect(parseBindingResponse(await answer)).toMatchObject({
      value: { kind: 'success', mapped: { host: '::1', port: socket.address().port } },
    });
  });

  it('answers a CHANGE-REQUEST with 420 Unknown Attribute naming it (RFC 5780 §6.1)', async () => {
    const server = await plainServer();
    const p = await peer();
    const request = stun.createMessage(C.STUN_BINDING_REQUEST);
    request.addAttribute(C.STUN_ATTR_CHANGE_REQUEST, 0x6);
    await p.send(request.toBuffer(), server.primary.port, server.primary.host);
    const answer = await p.next();
    expect(answer?.from.port).toBe(server.primary.port);
    // Read with our parser: the package decodes ERROR-CODE 420 as 480 (see stun.d.ts).
    const parsed = parseBindingResponse(answer!.data);
    expect(parsed).toMatchObject({
      ok: true,
      value: { kind: 'error', code: 420, unknownAttributes: [0x0003] },
    });
    expect(server.stats()).toMatchObject({ errorResponses: 1, answered: 0 });
  });

  it('answers 420 for an unknown comprehension-required attribute but ignores an optional one', async () => {
    const server = await plainServer();
    const p = await peer();
    const required = stun.createMessage(C.STUN_BINDING_REQUEST);
    // RESPONSE-PORT (RFC 5780 §7.5) is comprehension-required and not implemented here.
    required.addAttribute(C.STUN_ATTR_RESPONSE_PORT, 4000);
    await p.send(required.toBuffer(), server.primary.port, '127.0.0.1');
    expect(parseBindingResponse((await p.next())!.data)).toMatchObject({
      value: { kind: 'error', code: 420, unknownAttributes: [C.STUN_ATTR_RESPONSE_PORT] },
    });
    const optional = stun.createMessage(C.STUN_BINDING_REQUEST);
    optional.addSoftware('some client');
    optional.addFingerprint();
    await p.send(optional.toBuffer(), server.primary.port, '127.0.0.1');
    const answer = (await p.next())!.data;
    expect(parseBindingResponse(answer)).toMatchObject({ value: { kind: 'success' } });
    // A request with FINGERPRINT gets one back (checked by our framing: CRC-32, last attribute).
    const frame = parseStunFrame(answer);
    expect(frame.ok && frame.value.attributes.at(-1)?.type).toBe(C.STUN_ATTR_FINGERPRINT);
  });

  it('stays silent for indications, responses and malformed datagrams, and counts them', async () => {
    const server = await plainServer();
    const p = await peer();
    const indication = stun.createMessage(C.STUN_BINDING_INDICATION).toBuffer();
    const response = stun.createMessage(C.STUN_BINDING_RESPONSE).toBuffer();
    const legacy = Buffer.from(stun.createMessage(C.STUN_BINDING_REQUEST).toBuffer());
    legacy.writeUInt32BE(0, 4); // RFC 3489: no magic cookie
    for (const data of [indication, response, legacy, Buffer.from('hello')]) {
      await p.send(data, server.primary.port, '127.0.0.1');
    }
    expect(await p.next(300)).toBeNull();
    expect(server.stats()).toMatchObject({ received: 4, ignored: 2, malformed: 2, answered: 0 });
  });
});

describe('lanrage-stun rate limit', () => {
  it('stops answering a source past its burst, counts it, and answers again once refilled', async () => {
    let now = 0;
    const server = await startStunServer({
      listen: { host: '127.0.0.1', port: 0 },
      rateLimit: { ratePerSecond: 10, burst: 5 },
      now: () => now,
    });
    cleanup.push(() => server.close());
    const p = await peer();
    const request = stun.createMessage(C.STUN_BINDING_REQUEST).toBuffer();
    for (let i = 0; i < 8; i++) await p.send(request, server.primary.port, '127.0.0.1');
    for (let i = 0; i < 5; i++) expect(await p.next()).not.toBeNull();
    expect(await p.next(200)).toBeNull();
    expect(server.stats()).toMatchObject({ received: 8, answered: 5, rateLimited: 3 });
    now += 1000; // ten tokens' worth, capped at the burst of five
    await p.send(request, server.primary.port, '127.0.0.1');
    expect(await p.next()).not.toBeNull();
  });
});

describe('lanrage-stun CLI', () => {
  it('prints the four addresses it listens on and answers there', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src-server/stun/main.ts',
        '--listen',
        '127.0.0.1:0',
        '--alternate',
        '127.0.0.2:0',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LANRAGE_LOG_LEVEL: 'warn' } },
    );
    cleanup.push(() => {
      child.kill('SIGTERM');
    });
    let out = '';
    const lines = await new Promise<string[]>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const found = out.split('\n').filter((l) => l.startsWith('lanrage-stun listening'));
        if (found.length === 4) resolve(found);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    expect(lines.map((l) => /\((\w\w)\)$/.exec(l)?.[1]).sort()).toEqual(['aa', 'ap', 'pa', 'pp']);
    const port = Number(/127\.0\.0\.1:(\d+) \(pp\)/.exec(lines.join('\n'))![1]);
    const { response } = await packageRequest(port);
    expect(response.getAttribute(C.STUN_ATTR_OTHER_ADDRESS)?.value).toMatchObject({
      address: '127.0.0.2',
    });
  });
});
