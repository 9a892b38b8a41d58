import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EventChannel, EventPayload } from '../../src-shared/ipc/contract.js';
import { handlersWith } from '../../src-shared/ipc/testing/handlers-with.js';
import { parseUiAddress } from './ui-address.js';
import { startWebUi, type WebUi } from './web-ui-server.js';

const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstu';
const INFO = { name: 'LANrage', version: '0.1.0', platform: 'linux', mode: 'web' } as const;
type Publish = <E extends EventChannel>(channel: E, payload: EventPayload<E>) => void;

const open: WebUi[] = [];
afterEach(async () => {
  for (const ui of open.splice(0)) await ui.close();
});

async function start() {
  const dir = mkdtempSync(join(tmpdir(), 'lanrage-webui-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>LANrage</title>');
  writeFileSync(join(tmpdir(), 'lanrage-webui-secret.txt'), 'secret');
  const warnings: string[] = [];
  const publishers = new Set<Publish>();
  const ui = await startWebUi({
    address: parseUiAddress('127.0.0.1:0'),
    rendererDir: dir,
    handlers: handlersWith({ 'app:info': () => INFO }),
    subscribe: (p) => (publishers.add(p), () => publishers.delete(p)),
    greet: (p) => p('app:state', { state: 'disconnected', problem: null }),
    logger: { warn: (m) => warnings.push(m), info: () => undefined },
    token: TOKEN,
  });
  open.push(ui);
  const push: Publish = (channel, payload) => publishers.forEach((p) => p(channel, payload));
  return { ui, warnings, push, base: `http://127.0.0.1:${ui.port}` };
}

function connect(
  port: number,
  o: { token?: string; origin?: string; host?: string } = {},
): Promise<{ ws: WebSocket; frames: unknown[] } | { status: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/bridge?token=${o.token ?? TOKEN}`, {
      origin: o.origin ?? `http://127.0.0.1:${port}`,
      headers: o.host ? { host: o.host } : {},
    });
    const frames: unknown[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(String(d))));
    ws.on('open', () => resolve({ ws, frames }));
    ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.on('error', () => undefined);
  });
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
};

describe('the web UI server (lanrage up --ui)', () => {
  it('prints a URL on loopback with the token in the fragment', async () => {
    const { ui } = await start();
    expect(ui.url).toBe(`http://127.0.0.1:${ui.port}/#token=${TOKEN}`);
  });

  it('serves the renderer and nothing outside its folder', async () => {
    const { base } = await start();
    expect((await fetch(`${base}/`)).status).toBe(200);
    expect(await (await fetch(`${base}/index.html`)).text()).toContain('<title>LANrage</title>');
    expect((await fetch(`${base}/..%2flanrage-webui-secret.txt`)).status).toBe(404);
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(404);
  });

  it('refuses a page request naming another host (DNS rebinding) with 421', async () => {
    const { ui } = await start();
    const status = await new Promise<number>((resolve, reject) =>
      request({ port: ui.port, host: '127.0.0.1', path: '/', headers: { host: 'evil.example' } })
        .on('response', (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        })
        .on('error', reject)
        .end(),
    );
    expect(status).toBe(421);
  });

  it.each([
    ['a wrong token', { token: 'x'.repeat(43) }, 401],
    ['another site as Origin', { origin: 'https://evil.example' }, 403],
    [
      'a DNS-rebinding Host',
      { host: 'evil.example:1234', origin: 'http://evil.example:1234' },
      421,
    ],
  ])('refuses a bridge connection with %s, and logs it', async (_what, o, status) => {
    const { ui, warnings } = await start();
    expect(await connect(ui.port, o)).toEqual({ status });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^web ui: refused a bridge connection/);
  });

  it('greets a page with the state, answers invokes and delivers pushes', async () => {
    const { ui, push } = await start();
    const link = await connect(ui.port);
    if (!('ws' in link)) throw new Error(`refused: ${link.status}`);
    link.ws.send(JSON.stringify({ t: 'invoke', id: 1, channel: 'app:info' }));
    push('app:navigate', { view: 'settings' });
    await until(() => link.frames.length >= 3);
    expect(link.frames).toEqual([
      { t: 'event', channel: 'app:state', payload: { state: 'disconnected', problem: null } },
      { t: 'event', channel: 'app:navigate', payload: { view: 'settings' } },
      { t: 'result', id: 1, outcome: { ok: true, value: INFO } },
    ]);
    link.ws.close();
  });

  it('answers a request outside the schema with bad-request, never calling the handler', async () => {
    const { ui } = await start();
    const link = await connect(ui.port);
    if (!('ws' in link)) throw new Error('refused');
    link.ws.send(
      JSON.stringify({ t: 'invoke', id: 2, channel: 'relays:use', request: { id: 42 } }),
    );
    await until(() => link.frames.length >= 2);
    expect(link.frames[1]).toMatchObject({
      t: 'result',
      id: 2,
      outcome: { ok: false, error: { code: 'bad-request' } },
    });
    link.ws.close();
  });

  it('refuses and logs bad frames, and closes a page that keeps sending them', async () => {
    const { ui, warnings } = await start();
    const link = await connect(ui.port);
    if (!('ws' in link)) throw new Error('refused');
    const closed = new Promise<number>((resolve) => link.ws.on('close', (code) => resolve(code)));
    link.ws.send('not json');
    link.ws.send(JSON.stringify({ t: 'shell', cmd: 'rm -rf /' }));
    link.ws.send(Buffer.from([1, 2, 3]));
    for (let i = 0; i < 7; i++) link.ws.send('{');
    expect(await closed).toBe(1008);
    expect(warnings.slice(0, 3)).toEqual([
      'web ui: refused a frame: not JSON',
      expect.stringMatching(/^web ui: refused a frame: .*t/),
      'web ui: refused a frame: binary frame',
    ]);
    expect(warnings).toHaveLength(10);
  });
});

describe('parseUiAddress', () => {
  it.each([
    ['7480', { host: '127.0.0.1', port: 7480, loopback: true }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0, loopback: true }],
    ['localhost:7480', { host: 'localhost', port: 7480, loopback: true }],
    ['[::1]:7480', { host: '::1', port: 7480, loopback: true }],
    ['192.168.1.20:7480', { host: '192.168.1.20', port: 7480, loopback: false }],
  ])('reads %s', (text, address) => {
    expect(parseUiAddress(text)).toEqual(address);
  });

  it.each(['', 'abc', '7480:1', '70000', 'example.com:80'])('refuses %j', (text) => {
    expect(() => parseUiAddress(text)).toThrow(/--ui/);
  });

  it.each(['0.0.0.0:7480', '[::]:7480'])(
    'refuses the any-address %s, which no browser could name in its Host',
    (text) => {
      expect(() => parseUiAddress(text)).toThrow(
        `--ui ${text}: give the one address to serve on (e.g. 192.168.1.20:7480); browsers must open the UI at that address`,
      );
    },
  );
});
