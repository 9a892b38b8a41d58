import { mkdtempSync, statSync } from 'node:fs';
import { connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { callLocalApi } from './local-api-client.js';
import { startLocalApi } from './local-api-server.js';

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function serve() {
  const path = join(mkdtempSync(join(tmpdir(), 'lanrage-api-')), 'lanrage.sock');
  const seen: string[] = [];
  const server = await startLocalApi(path, async (request) => {
    seen.push(request.cmd);
    if (request.cmd === 'relay.use') throw new Error(`no relay "${request.id}"`);
    return { cmd: request.cmd };
  });
  servers.push(server);
  return { path, seen };
}

function rawRequest(path: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(path, () => socket.write(line));
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
      if (data.includes('\n')) {
        socket.end();
        resolve(data.trim());
      }
    });
    socket.on('error', reject);
  });
}

describe('the local API of lanrage up', () => {
  it('answers a status request', async () => {
    const { path } = await serve();
    expect(await callLocalApi(path, { cmd: 'status' })).toEqual({ cmd: 'status' });
  });

  it('creates its socket so only the same user can open it', async () => {
    const { path } = await serve();
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('passes a handler error back as the error message', async () => {
    const { path } = await serve();
    await expect(callLocalApi(path, { cmd: 'relay.use', id: 'nope' })).rejects.toThrow(
      'no relay "nope"',
    );
  });

  it.each([
    ['not JSON', '{"cmd":\n', 'not valid JSON'],
    ['an unknown command', '{"cmd":"format-disk"}\n', 'cmd'],
    ['an extra field', '{"cmd":"status","sudo":true}\n', 'sudo'],
  ])('refuses %s without calling the handler', async (_name, line, reason) => {
    const { path, seen } = await serve();
    const answer = JSON.parse(await rawRequest(path, line)) as { ok: boolean; error: string };
    expect(answer.ok).toBe(false);
    expect(answer.error).toContain(reason);
    expect(seen).toEqual([]);
  });

  it('tells the user to start lanrage up when nothing listens', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lanrage-api-')), 'lanrage.sock');
    await expect(callLocalApi(path, { cmd: 'status' })).rejects.toThrow(/not running.*lanrage up/);
  });
});
