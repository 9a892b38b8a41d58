import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { generateKeyPair } from '../../../src-common/crypto/x25519.js';
import {
  connectedClient,
  eventually,
  memberInfo,
  startTestServer,
} from '../../../src-server/control/test-support.js';
import type { ControlServer } from '../../../src-server/control/control-server.js';
import { ControlClient, type ControlClientState } from './control-client.js';
import { reconnectDelay } from './reconnect-backoff.js';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/**
 * A server that misbehaves on purpose (the seam: the client must survive a bad server). It
 * sends a valid hello and welcome, then whatever `script` does with the socket.
 */
async function scriptedServer(script: (ws: WebSocket, frame: Record<string, unknown>) => void) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  const serverKey = generateKeyPair().publicKey;
  wss.on('connection', (ws) => {
    ws.send(
      JSON.stringify({
        t: 'hello',
        v: 1,
        serverKey,
        nonce: Buffer.alloc(32, 1).toString('base64'),
        stun: [],
      }),
    );
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Record<string, unknown>;
      if (frame.t === 'auth') {
        ws.send(
          JSON.stringify({
            t: 'welcome',
            you: frame.publicKey,
            party: null,
            relays: [],
            serverTime: Date.now(),
          }),
        );
      } else script(ws, frame);
    });
  });
  cleanups.push(() => new Promise((resolve) => wss.close(resolve)));
  return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
}

function client(url: string, extra: Partial<ConstructorParameters<typeof ControlClient>[0]> = {}) {
  const c = new ControlClient({
    url,
    privateKey: generateKeyPair().privateKey,
    requestTimeoutMs: 300,
    reconnectBaseMs: 20,
    reconnectMaxMs: 100,
    ...extra,
  });
  cleanups.push(() => c.close());
  return c;
}

describe('reconnectDelay', () => {
  it.each([
    { attempt: 0, random: 0, want: 250 },
    { attempt: 0, random: 0.999, want: 500 },
    { attempt: 3, random: 0.5, want: 3000 },
    { attempt: 6, random: 0, want: 15_000 },
    { attempt: 40, random: 1, want: 30_000 },
  ])(
    'waits $want ms before attempt $attempt when random gives $random',
    ({ attempt, random, want }) => {
      expect(reconnectDelay(attempt, { baseMs: 500, maxMs: 30_000, random: () => random })).toBe(
        want,
      );
    },
  );
});

describe('ControlClient', () => {
  it('drops malformed server frames with a warning and keeps working', async () => {
    const url = await scriptedServer((ws, frame) => {
      ws.send('not json');
      ws.send(JSON.stringify({ t: 'event', event: 'member.joined', partyId: 'nope' }));
      ws.send(Buffer.from([1, 2]));
      ws.send(JSON.stringify({ t: 'res', id: frame.id, ok: true, result: { serverTime: 42 } }));
    });
    const c = client(url);
    const warnings: string[] = [];
    const events: unknown[] = [];
    c.on('warning', (w) => warnings.push(w));
    c.on('event', (e) => events.push(e));
    await c.connect();
    expect(await c.request('heartbeat')).toEqual({ serverTime: 42 });
    expect(events).toEqual([]);
    expect(warnings).toHaveLength(3);
    expect(warnings[1]).toMatch(/malformed message/);
  });

  it('rejects a result that does not match its op with bad_response', async () => {
    const url = await scriptedServer((ws, frame) => {
      ws.send(JSON.stringify({ t: 'res', id: frame.id, ok: true, result: { serverTime: 'soon' } }));
    });
    const c = client(url);
    await expect(c.request('heartbeat')).rejects.toMatchObject({ failure: 'bad_response' });
  });

  it('rejects a request the server never answers with timeout', async () => {
    const url = await scriptedServer(() => {});
    const c = client(url);
    await c.connect();
    await expect(c.request('relays.list')).rejects.toMatchObject({ failure: 'timeout' });
  });

  it('fails pending requests with disconnected when the link drops, then reconnects', async () => {
    let drops = 0;
    const url = await scriptedServer((ws) => {
      drops++;
      ws.terminate();
    });
    const c = client(url, { requestTimeoutMs: 2_000 });
    const states: ControlClientState[] = [];
    c.on('state', (s) => states.push(s));
    await c.connect();
    await expect(c.request('heartbeat')).rejects.toMatchObject({ failure: 'disconnected' });
    await eventually(() => c.state === 'ready');
    expect(drops).toBe(1);
    expect(states).toEqual([
      'connecting',
      'authenticating',
      'ready',
      'reconnecting',
      'connecting',
      'authenticating',
      'ready',
    ]);
  });

  it('refuses a server whose key is not the pinned one', async () => {
    const url = await scriptedServer(() => {});
    const c = client(url, { serverKey: generateKeyPair().publicKey });
    const warnings: string[] = [];
    c.on('warning', (w) => warnings.push(w));
    await expect(c.connect()).rejects.toMatchObject({ failure: 'disconnected' });
    expect(warnings[0]).toMatch(/different key/);
  });

  describe('against the real server', () => {
    let server: ControlServer;
    afterEach(async () => server.close());

    it('types requests and results end to end', async () => {
      server = await startTestServer();
      const c = await connectedClient(server);
      cleanups.push(() => c.close());
      const { party } = await c.request('party.create', {
        partyName: 'typed',
        memberName: 'me',
        member: memberInfo(),
      });
      const { relays } = await c.request('relays.list');
      const { serverTime } = await c.request('heartbeat', {});
      expect([party.name, relays, typeof serverTime]).toEqual(['typed', [], 'number']);
      expect(Math.abs(c.serverNow() - Date.now())).toBeLessThan(1_000);
      await expect(c.request('party.leave', { partyId: 'aaaaaaaaaaaaaaaa' })).rejects.toMatchObject(
        {
          failure: 'not_member',
          message: 'not a member of party aaaaaaaaaaaaaaaa',
        },
      );
    });

    it('stops for good when a newer login with the same key replaces it', async () => {
      server = await startTestServer();
      const keys = generateKeyPair();
      const first = await connectedClient(server, keys);
      const second = await connectedClient(server, keys);
      cleanups.push(
        () => first.close(),
        () => second.close(),
      );
      await eventually(() => first.state === 'closed');
      await expect(first.request('heartbeat')).rejects.toMatchObject({ failure: 'closed' });
      expect(await second.request('heartbeat')).toHaveProperty('serverTime');
    });

    it('fails requests with closed after close()', async () => {
      server = await startTestServer();
      const c = await connectedClient(server);
      await c.close();
      await expect(c.request('heartbeat')).rejects.toMatchObject({ failure: 'closed' });
    });
  });
});
