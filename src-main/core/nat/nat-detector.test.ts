import { createSocket, type Socket } from 'node:dgram';
import { Writable } from 'node:stream';
import winston from 'winston';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyPacket } from '../../../src-shared/protocol/packet-kind.js';
import { startStunServer } from '../../../src-server/stun/stun-server.js';
import { openRawPeer } from '../../../src-server/stun/stun-test-helpers.js';
import { chooseStunServers, detectNat } from './nat-detector.js';
import {
  StunClient,
  STUN_FINAL_WAIT_MS,
  STUN_INITIAL_RTO_MS,
  STUN_MAX_TRANSMISSIONS,
  type StunClientOptions,
} from './stun-client.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** The tunnel's public socket in miniature: STUN datagrams demultiplexed to the client. */
async function publicSocket(
  timing: Partial<StunClientOptions> = {},
): Promise<{ socket: Socket; client: StunClient; port: number }> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const client = new StunClient({
    send: (data, port, host) => socket.send(data, port, host),
    ...timing,
  });
  socket.on('message', (data, rinfo) => {
    if (classifyPacket(data) === 'stun') client.handle(data, rinfo);
  });
  cleanup.push(() => {
    client.close();
    return new Promise<void>((r) => socket.close(() => r()));
  });
  return { socket, client, port: socket.address().port };
}

function capturingLogger() {
  const lines: { level: string; message: string; [k: string]: unknown }[] = [];
  const stream = new Writable({
    objectMode: true,
    write(info: { level: string; message: string }, _enc, done) {
      lines.push(info);
      done();
    },
  });
  const logger = winston.createLogger({
    level: 'debug',
    transports: [new winston.transports.Stream({ stream })],
  });
  return { logger, lines };
}

async function server(withAlternate: boolean) {
  const s = await startStunServer({
    listen: { host: '127.0.0.1', port: 0 },
    alternate: withAlternate ? { host: '127.0.0.2', port: 0 } : undefined,
  });
  cleanup.push(() => s.close());
  return s;
}

describe('detectNat against the real lanrage-stun on loopback', () => {
  it('concludes open (no NAT on loopback) with the socket as public endpoint', async () => {
    const stun = await server(true);
    const { client, port } = await publicSocket();
    const local = { host: '127.0.0.1', port };
    const result = await detectNat({ servers: [stun.primary], client, localEndpoints: [local] });
    expect(result).toMatchObject({
      natType: 'open',
      publicEndpoint: local,
      localEndpoint: local,
      mapping: 'endpoint_independent',
      filtering: 'endpoint_independent',
      server: stun.primary,
    });
  });

  it('falls back to unknown, with a logged reason, when the only server has one address', async () => {
    const stun = await server(false);
    const { client, port } = await publicSocket();
    const { logger, lines } = capturingLogger();
    const result = await detectNat({
      servers: [stun.primary],
      client,
      localEndpoints: [{ host: '127.0.0.1', port }],
      logger,
    });
    expect(result.natType).toBe('unknown');
    expect(result.publicEndpoint).toEqual({ host: '127.0.0.1', port });
    expect(result.reason).toMatch(/does not support RFC 5780/);
    expect(lines.some((l) => l.level === 'warn' && l.message === 'NAT type unknown')).toBe(true);
  });

  it('compares the mappings of two single-address servers when it has two', async () => {
    const first = await server(false);
    const second = await server(false);
    const { client, port } = await publicSocket();
    const result = await detectNat({
      servers: [first.primary, second.primary],
      client,
      localEndpoints: [{ host: '127.0.0.1', port }],
    });
    expect(result).toMatchObject({
      natType: 'port_restricted_cone',
      mapping: 'endpoint_independent',
    });
    expect(result.reason).toMatch(/two STUN servers saw the same public address/);
  });

  it('skips a silent server and uses the next one', async () => {
    const silent = await openRawPeer();
    cleanup.push(() => silent.close());
    const stun = await server(true);
    // Short timers: this test is about the order of servers, the next one about the timeout.
    const { client, port } = await publicSocket({
      initialRtoMs: 20,
      maxTransmissions: 2,
      finalWaitMs: 50,
    });
    const result = await detectNat({
      servers: [{ host: '127.0.0.1', port: silent.port }, stun.primary],
      client,
      localEndpoints: [{ host: '127.0.0.1', port }],
    });
    expect(result).toMatchObject({ natType: 'open', server: stun.primary });
  });

  it('answers unknown within one transaction timeout when no server answers', async () => {
    const silent = await openRawPeer();
    cleanup.push(() => silent.close());
    const { client, port } = await publicSocket();
    const started = performance.now();
    const result = await detectNat({
      servers: [{ host: '127.0.0.1', port: silent.port }],
      client,
      localEndpoints: [{ host: '127.0.0.1', port }],
    });
    const elapsed = performance.now() - started;
    const budget =
      STUN_INITIAL_RTO_MS * (2 ** (STUN_MAX_TRANSMISSIONS - 1) - 1) + STUN_FINAL_WAIT_MS;
    expect(result).toMatchObject({ natType: 'unknown', publicEndpoint: null });
    expect(result.reason).toMatch(/no STUN server answered/);
    expect(elapsed).toBeGreaterThanOrEqual(budget - 50);
    expect(elapsed).toBeLessThan(budget + 1000);
    expect(silent.received.length).toBe(STUN_MAX_TRANSMISSIONS);
  });

  it('answers unknown at once when no server is configured', async () => {
    const { client, port } = await publicSocket();
    const result = await detectNat({
      servers: [],
      client,
      localEndpoints: [{ host: '127.0.0.1', port }],
    });
    expect(result.natType).toBe('unknown');
  });
});

describe('chooseStunServers', () => {
  it('prefers what the control server advertises, else the config, skipping what does not parse', () => {
    expect(chooseStunServers(['stun.example.net:3478', 'nonsense'], ['10.0.0.1:3478'])).toEqual([
      { host: 'stun.example.net', port: 3478 },
    ]);
    expect(chooseStunServers([], ['10.0.0.1:3478'])).toEqual([{ host: '10.0.0.1', port: 3478 }]);
    expect(chooseStunServers(['bad'], [])).toEqual([]);
  });
});
